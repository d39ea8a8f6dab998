"""The focal point's questions: context, items, views, answers, evidence."""
