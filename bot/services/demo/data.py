"""The demo province's units and personas (Vietnamese names; the province itself is fictional)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_

# (code, name, has_public_services)
DEPARTMENTS = [
    ("SNV", "Sở Nội vụ", True),
    ("STP", "Sở Tư pháp", True),
    ("STC", "Sở Tài chính", True),
    ("SCT", "Sở Công Thương", True),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", True),
    ("SXD", "Sở Xây dựng", True),
    ("SGDDT", "Sở Giáo dục và Đào tạo", True),
    ("SYT", "Sở Y tế", True),
    ("SKHCN", "Sở Khoa học và Công nghệ", True),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", True),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", True),
    ("SNGV", "Sở Ngoại vụ", True),
    ("TTRA", "Thanh tra tỉnh", True),
    ("VPUB", "Văn phòng UBND tỉnh", True),
    ("VPDBHD", "Văn phòng Đoàn ĐBQH và HĐND tỉnh", False),
    ("BQLKKT", "Ban Quản lý Khu kinh tế", True),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng tỉnh", False),
    ("DPTTH", "Đài Phát thanh và Truyền hình tỉnh", False),
    ("BHXH", "Bảo hiểm xã hội tỉnh", True),
    ("CAT", "Công an tỉnh", True),
    ("BCHQS", "Bộ Chỉ huy Quân sự tỉnh", False),
    ("THUE", "Thuế tỉnh", True),
    ("KBNN", "Kho bạc Nhà nước khu vực", True),
    ("TCT", "Trường Chính trị tỉnh", False),
    ("LMHTX", "Liên minh Hợp tác xã tỉnh", False),
    ("QDTPT", "Quỹ Đầu tư phát triển tỉnh", False),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh", True),
    ("TKE", "Thống kê tỉnh", True),
    ("NHNN", "Ngân hàng Nhà nước khu vực", True),
    ("VPTU", "Văn phòng Tỉnh ủy", False),
]
COMMUNES = [
    ("P-CAOLANH", "Phường Cao Lãnh"),
    ("P-MYNGAI", "Phường Mỹ Ngãi"),
    ("P-SADEC", "Phường Sa Đéc"),
    ("P-HONGNGU", "Phường Hồng Ngự"),
    ("X-MYAN", "Xã Mỹ An"),
    ("X-THAPMUOI", "Xã Tháp Mười"),
    ("X-THANHBINH", "Xã Thanh Bình"),
    ("X-LAPVO", "Xã Lấp Vò"),
    ("X-LAIVUNG", "Xã Lai Vung"),
    ("X-CHAUTHANH", "Xã Châu Thành"),
    ("X-TAMNONG", "Xã Tam Nông"),
    ("X-TANHONG", "Xã Tân Hồng"),
    ("X-PHUTHO", "Xã Phú Thọ"),
    ("X-TRAMCHIM", "Xã Tràm Chim"),
    ("X-ANHOA", "Xã An Hòa"),
    ("X-BINHTHANH", "Xã Bình Thành"),
    ("X-MYHIEP", "Xã Mỹ Hiệp"),
    ("X-TANDUONG", "Xã Tân Dương"),
    ("X-PHONGHOA", "Xã Phong Hòa"),
    ("X-TANLONG", "Xã Tân Long"),
]
DEPARTMENT_COHORT, COMMUNE_COHORT = "so-nganh", "xa-phuong"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Thu", "Đức", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Khánh",
    "Linh",
    "Long",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Trung",
    "Tuấn",
    "Vy",
    "Yến",
]


@dataclass(frozen=True)
class Persona:
    key: str
    telegram_id: int
    full_name: str
    role: str
    unit_code: str | None
    description: str  # English; the sandbox page shows it through gettext


PERSONAS = [
    Persona("focal_department", 700001, "Nguyễn Thị Lan", "focal_point", "SNV", N_("Focal point of a department")),
    Persona(
        "focal_department_2",
        700002,
        "Huỳnh Văn Phúc",
        "focal_point",
        "SNV",
        N_("Second focal point of the same department"),
    ),
    Persona("focal_commune", 700003, "Trần Văn Hùng", "focal_point", "X-MYAN", N_("Focal point of a commune")),
    Persona("leader", 700004, "Lê Minh Tuấn", "leader", "SNV", N_("Leader of a department")),
    Persona("leader_commune", 700005, "Ngô Thị Mai", "leader", "X-MYAN", N_("Leader of a commune")),
    Persona(
        "leader_approver",
        700010,
        "Đỗ Thanh Hải",
        "leader",
        "P-CAOLANH",
        N_("Leader whose unit waits for approval"),
    ),
    Persona("reviewer", 700006, "Phạm Thu Hà", "reviewer", None, N_("Appraiser of indices 1–3")),
    Persona("reviewer_2", 700009, "Bùi Ngọc Yến", "reviewer", None, N_("Appraiser of indices 4–6")),
    Persona(
        "coordinator", 700007, "Võ Thanh Sơn", "coordinator", None, N_("Coordinator, chair of the appraisal council")
    ),
    Persona("admin", 700008, "Đặng Quốc Bảo", "admin", None, N_("Administrator")),
]
# The focal points' units are left for the sandbox to answer (the other units' answers are generated).
PERSONA_UNITS = {p.unit_code for p in PERSONAS if p.unit_code and p.role == "focal_point"}
# Complete units' self-assessments, by the unit's state on its way to appraisal (the others are approved).
WAITING_FOR_APPROVAL = ("P-CAOLANH",)
# The appraisers' domains in the demo's open period: index codes by persona key.
APPRAISER_DOMAINS = {"reviewer": ("1", "2", "3"), "reviewer_2": ("4", "5", "6")}
GENERATED_TELEGRAM_IDS = 710_000  # focal points of the other units: 710000 + n
