"""aiogram middlewares: exactly-once updates, the acting person, strangers kept out, notices kept."""
