"""Legal and source citations used in rule results, in one place (see ``/work/shared/DOMAIN.md``).

Wording rule: cite what DOMAIN.md marks **confirmed**; where the article number or the threshold
was not confirmed, the citation says so in the text ("số điều chưa xác minh", "CHƯA XÁC NHẬN")
instead of inventing precision. Legal review should replace these strings once the official texts
(thuvienphapluat.vn, vbpl.vn) have been checked — DOMAIN.md §8 lists the open items.

Examples
--------
>>> "32/2024" in CCN_AREA_LIMITS and "chưa xác minh" in CCN_AREA_LIMITS
True
"""

from __future__ import annotations

# DOMAIN §2.2 — confirmed limits (10–75 ha; 5–75 ha mountainous or craft village); the article
# number of Decree 32/2024 carrying them was not read.
CCN_AREA_LIMITS = (
    "Nghị định 32/2024/NĐ-CP (quy mô CCN 10–75 ha; 5–75 ha ở địa bàn miền núi và CCN làng nghề; "
    "số điều chưa xác minh; mức tối thiểu coi là bao gồm — cần rà soát pháp lý)"
)
# DOMAIN §1.4 — Art. 9 phasing (> 500 ha in phases of ≤ 500 ha) is confirmed; a KCN minimum is
# a design assumption (DOMAIN §3.1 rules of thumb), not law.
KCN_AREA_LIMITS = (
    "Nghị định 35/2022/NĐ-CP, Điều 9 (KCN > 500 ha phải phân kỳ, mỗi giai đoạn ≤ 500 ha); "
    "diện tích tối thiểu KCN là giả định thiết kế, CHƯA XÁC NHẬN trong văn bản pháp luật"
)
# DOMAIN §1.4 — rice-land phasing, confirmed for the Mekong (200 ha) and Central Coast (150 ha).
RICE_PHASING = (
    "Nghị định 35/2022/NĐ-CP, Điều 9 (chuyển đổi đất trồng lúa 2 vụ trở lên: phân kỳ khi vượt "
    "200 ha ở ĐB sông Hồng, ĐB sông Cửu Long; 150 ha ở Bắc Trung Bộ, Duyên hải miền Trung, "
    "Đông Nam Bộ)"
)
# DOMAIN §2.3 — conditions confirmed from secondary sources; article number not read, and the
# "district" scope after 1 July 2025 is not settled (DOMAIN §5).
CCN_NEW_OCCUPANCY = (
    "Nghị định 32/2024/NĐ-CP, điều kiện thành lập CCN (các CCN trên địa bàn có tỷ lệ lấp đầy bình "
    "quân > 50 % hoặc tổng diện tích đất công nghiệp chưa cho thuê ≤ 100 ha; số điều chưa xác minh; "
    "phạm vi 'địa bàn cấp huyện' sau 01/7/2025 chưa xác định)"
)
CCN_EXPANSION = (
    "Nghị định 32/2024/NĐ-CP, điều kiện mở rộng CCN (tỷ lệ lấp đầy ≥ 60 % hoặc nhu cầu thuê vượt "
    "quỹ đất hiện có; tổng diện tích sau mở rộng ≤ 75 ha; số điều chưa xác minh)"
)
CCN_LAND_USE_PLAN = (
    "Nghị định 32/2024/NĐ-CP, điều kiện thành lập CCN (thuộc phương án phát triển CCN, phù hợp quy "
    "hoạch sử dụng đất cấp huyện; số điều chưa xác minh)"
)
# DOMAIN §3.3 — QCVN 01:2019/BXD, confirmed (secondary source).
ISOLATION_STRIP = "QCVN 01:2019/BXD (dải cây xanh cách ly quanh KCN, CCN rộng ≥ 10 m)"
# DOMAIN §1.3 — Art. 37 investor criteria confirmed (text truncated); 25 % land share NOT CONFIRMED.
ECO_INVESTOR = (
    "Nghị định 35/2022/NĐ-CP, Điều 37 (chủ đầu tư hạ tầng KCN sinh thái cung cấp đủ dịch vụ cơ bản: "
    "điện, nước, thông tin, PCCC, xử lý nước thải; dịch vụ hỗ trợ cộng sinh công nghiệp)"
)
ECO_LAND_SHARE = (
    "Tiêu chí đất cây xanh, giao thông, hạ tầng dùng chung ≥ 25 % diện tích KCN (theo Nghị định "
    "82/2018/NĐ-CP; CHƯA XÁC NHẬN cho Nghị định 35/2022/NĐ-CP, Điều 37–38)"
)
ECO_SYMBIOSIS = (
    "Nghị định 35/2022/NĐ-CP, Điều 2 khoản 5 và Điều 36 (cộng sinh công nghiệp); ngưỡng "
    "'≥ 1 liên kết cộng sinh' theo Nghị định 82/2018/NĐ-CP, CHƯA XÁC NHẬN cho Nghị định 35/2022"
)
ECO_ENTERPRISE = (
    "Tiêu chí doanh nghiệp KCN sinh thái (≥ 90 % biết về RECP, ≥ 20 % áp dụng RECP, ≥ 10 % tham gia "
    "cộng sinh) theo Nghị định 82/2018/NĐ-CP; CHƯA XÁC NHẬN cho Nghị định 35/2022/NĐ-CP"
)
# DOMAIN §2.4b — partially confirmed (Decree 43/2014 Art. 14; numbers cut in the excerpt read).
OWN_CAPITAL = (
    "Nghị định 43/2014/NĐ-CP, Điều 14 (vốn chủ sở hữu ≥ 20 % tổng vốn đầu tư với dự án dưới 20 ha, "
    "≥ 15 % với dự án từ 20 ha; XÁC NHẬN MỘT PHẦN — cần đối chiếu nghị định hướng dẫn Luật Đất đai 2024)"
)
# The provincial source documents (/work/shared/sources/).
TWO_YEAR_RULE = (
    "Thông báo kết luận của Chủ tịch UBND tỉnh Bình Định (họp ngày 11/4/2025): xem xét thu hồi khu, "
    "cụm công nghiệp không hoàn thành chỉ tiêu đầu tư, phát triển được giao trong 02 năm liên tiếp"
)
STATE_CLUSTER_TRANSFER = (
    "Nghị định 32/2024/NĐ-CP (đơn vị được giao làm chủ đầu tư theo Điều 15 khoản 2 Nghị định "
    "68/2017/NĐ-CP tiếp tục hoạt động đến khi có quyết định sắp xếp); Thông báo kết luận của Chủ "
    "tịch UBND tỉnh Bình Định 11/4/2025 (chuyển giao CCN do Nhà nước làm chủ đầu tư sang doanh "
    "nghiệp; thủ tục chuyển giao CHƯA XÁC NHẬN)"
)
SECONDARY_PROJECT_RECOVERY = (
    "Luật Đầu tư 2020 (chấm dứt dự án chậm tiến độ; điều khoản cụ thể chưa xác minh); Thông báo kết "
    "luận của Chủ tịch UBND tỉnh Sóc Trăng 12/02/2025 (thu hồi đất tại các dự án đã dừng hoạt động)"
)
OVERLAP = "Quy hoạch tỉnh, phương án phát triển KCN/CCN: ranh giới đề xuất không chồng lấn khu, cụm đã có hoặc đề xuất khác"
INSIDE_UNIT = "Nghị định 32/2024/NĐ-CP: CCN nằm trên địa bàn đơn vị đề xuất, phù hợp quy hoạch sử dụng đất (số điều chưa xác minh)"
ROAD_ACCESS = (
    "Thông báo kết luận của Chủ tịch UBND tỉnh Bình Định 11/4/2025 (quy hoạch khu, cụm mới trên các "
    "hướng tuyến đường đã và đang đầu tư); khoảng cách tối đa là tham số thiết kế, CHƯA CÓ CĂN CỨ PHÁP LÝ"
)
EXCLUSION = (
    "Tiêu chí loại trừ khi chọn địa điểm (rừng đặc dụng/phòng hộ, mặt nước, vùng ngập): tham số "
    "thiết kế (DOMAIN.md §7.2), CHƯA CÓ CĂN CỨ PHÁP LÝ cụ thể"
)
