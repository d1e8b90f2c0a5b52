"""The eco and smart conversion criteria as the service ships them (``ConversionCriterion``).

Seeded by migration ``planning 0015_eco_conversion_roadmaps`` and by the demo loader (a
database emptied by a test flush gets them back); missing criteria are created, criteria the
Department has edited are left as they are. The Department adds its own in the admin.
"""

from __future__ import annotations

# The criteria catalogue as the service ships it; the Department adds its own in the admin.
# Sources: the Bình Định conclusion notice of 11 April 2025 (../shared/sources/000_…txt),
# DOMAIN.md §1.3 (Decree 35/2022 Art. 2(5), 36, 37; enterprise thresholds NOT CONFIRMED),
# and, for the smart park, no official criteria: the province's working list (ASSUMPTION).
NOTICE = (
    "Conclusion notice of the Chairman of the Bình Định People's Committee, meeting of "
    "11 April 2025, section I: new parks and clusters follow the eco criteria 'thực hiện cộng "
    "sinh công nghiệp, sử dụng năng lượng xanh, tái chế, tuần hoàn,...'; old ones convert "
    "gradually"
)
ART37 = (
    "Decree 35/2022/ND-CP, Article 37 (criteria for the infrastructure developer of an "
    "eco-industrial park; confirmed, source text truncated; DOMAIN.md §1.3)"
)
DECREE82 = (
    "Threshold per Decree 82/2018/ND-CP wording; NOT CONFIRMED for Decree 35/2022/ND-CP "
    "Articles 37–38 (DOMAIN.md §1.3)"
)
SMART = (
    "No official Vietnamese smart-industrial-park criteria were found (DOMAIN.md): the "
    "province's working list, an ASSUMPTION; the notice of 11 April 2025 asks Phú Tài, Hòa Hội, "
    "Becamex and Phú Mỹ to follow the 'eco and smart' model"
)
CRITERIA = [
    # programme, code, name_en, name_vi, threshold, basis, confirmation, citation
    (
        "eco",
        "notice-symbiosis",
        "Industrial symbiosis between enterprises",
        "Thực hiện cộng sinh công nghiệp",
        "",
        "notice",
        "confirmed",
        NOTICE,
    ),
    (
        "eco",
        "notice-green-energy",
        "Green and renewable energy in use",
        "Sử dụng năng lượng xanh, năng lượng tái tạo",
        "",
        "notice",
        "confirmed",
        NOTICE,
    ),
    (
        "eco",
        "notice-recycling",
        "Waste recycling and reuse",
        "Tái chế, tái sử dụng chất thải",
        "",
        "notice",
        "confirmed",
        NOTICE,
    ),
    (
        "eco",
        "notice-circular",
        "Circular economy (materials, water and energy loops)",
        "Kinh tế tuần hoàn",
        "",
        "notice",
        "confirmed",
        NOTICE,
    ),
    (
        "eco",
        "notice-cleaner-production",
        "Cleaner production and resource efficiency",
        "Sản xuất sạch hơn, sử dụng hiệu quả tài nguyên",
        "",
        "decree35",
        "confirmed",
        "Decree 35/2022/ND-CP, Article 2 clause 5 (an eco-industrial park: enterprises practise "
        "cleaner production and use resources efficiently); the notice's list ends with '…'",
    ),
    (
        "eco",
        "d35-compliance-3y",
        "Developer complied with the investment, enterprise, construction, land, environment "
        "and labour laws in the 3 years before registering",
        "Chủ đầu tư tuân thủ pháp luật về đầu tư, doanh nghiệp, xây dựng, đất đai, bảo vệ môi "
        "trường, lao động trong 3 năm trước khi đăng ký",
        "3 years",
        "decree35",
        "confirmed",
        ART37,
    ),
    (
        "eco",
        "d35-basic-services",
        "Basic services provided: power, water, communications, fire protection, wastewater "
        "treatment",
        "Cung cấp đủ dịch vụ cơ bản: điện, nước, thông tin, phòng cháy chữa cháy, xử lý nước thải",
        "",
        "decree35",
        "confirmed",
        ART37,
    ),
    (
        "eco",
        "d35-symbiosis-services",
        "Services that help enterprises carry out industrial symbiosis",
        "Dịch vụ hỗ trợ doanh nghiệp thực hiện cộng sinh công nghiệp",
        "",
        "decree35",
        "confirmed",
        ART37,
    ),
    (
        "eco",
        "d35-cooperation-mechanism",
        "Mechanism for cooperation set up and run (the source text stops mid-sentence)",
        "Thiết lập và vận hành cơ chế hợp tác (văn bản nguồn bị cắt)",
        "",
        "decree35",
        "not_confirmed",
        ART37 + "; wording after 'a mechanism for co…' NOT CONFIRMED",
    ),
    (
        "eco",
        "ent-recp-aware",
        "Enterprises aware of resource efficiency and cleaner production (RECP)",
        "Doanh nghiệp nhận thức về sử dụng hiệu quả tài nguyên và sản xuất sạch hơn",
        "≥ 90 % of enterprises",
        "decree35",
        "not_confirmed",
        DECREE82,
    ),
    (
        "eco",
        "ent-recp-applying",
        "Enterprises applying RECP measures",
        "Doanh nghiệp áp dụng giải pháp sử dụng hiệu quả tài nguyên và sản xuất sạch hơn",
        "≥ 20 % of enterprises",
        "decree35",
        "not_confirmed",
        DECREE82,
    ),
    (
        "eco",
        "ent-green-shared-land",
        "Green, transport and shared-infrastructure land",
        "Đất cây xanh, giao thông, hạ tầng dùng chung",
        "≥ 25 % of the park's land",
        "decree35",
        "not_confirmed",
        DECREE82,
    ),
    (
        "eco",
        "ent-symbiosis-links",
        "Industrial-symbiosis linkage with enterprises taking part",
        "Liên kết cộng sinh công nghiệp có doanh nghiệp tham gia",
        "≥ 1 linkage, ≥ 10 % of enterprises",
        "decree35",
        "not_confirmed",
        DECREE82,
    ),
    (
        "smart",
        "smart-platform",
        "Digital management platform (park operations, tenants, map)",
        "Nền tảng quản lý số (vận hành khu, doanh nghiệp, bản đồ)",
        "",
        "province",
        "assumption",
        SMART,
    ),
    (
        "smart",
        "smart-metering",
        "Smart metering of power and water",
        "Đo đếm điện, nước thông minh",
        "",
        "province",
        "assumption",
        SMART,
    ),
    (
        "smart",
        "smart-env-monitoring",
        "Online environmental monitoring (wastewater, air) sent to the environment department",
        "Quan trắc môi trường tự động, liên tục (nước thải, khí thải) truyền về Sở",
        "",
        "province",
        "assumption",
        SMART,
    ),
    (
        "smart",
        "smart-cameras",
        "Security and traffic cameras",
        "Camera an ninh, giao thông",
        "",
        "province",
        "assumption",
        SMART,
    ),
    (
        "smart",
        "smart-e-services",
        "E-services for tenants (online procedures, tenant portal)",
        "Dịch vụ điện tử cho doanh nghiệp thuê đất (thủ tục trực tuyến, cổng thông tin)",
        "",
        "province",
        "assumption",
        SMART,
    ),
]


def criteria_seed(criterion_model) -> int:
    """Create the shipped criteria that ``criterion_model``'s table lacks; the number created.

    ``criterion_model`` is ``ConversionCriterion`` or, in a migration, its historical model.
    """
    created = 0
    for order, row in enumerate(CRITERIA, start=1):
        programme, code, name_en, name_vi, threshold, basis, confirmation, citation = row
        _obj, new = criterion_model.objects.get_or_create(
            code=code,
            defaults=dict(
                programme=programme,
                name_en=name_en,
                name_vi=name_vi,
                threshold=threshold,
                basis=basis,
                confirmation=confirmation,
                citation=citation,
                order=order * 10,
            ),
        )
        created += new
    return created
