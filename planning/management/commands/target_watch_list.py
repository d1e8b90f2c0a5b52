from planning.analysis._text import fmt_vi
from planning.management.commands._analysis import AnalysisCommand, pct, table, wrap
from planning.texts import translate


class Command(AnalysisCommand):
    help = (
        "Danh sách khu, cụm không hoàn thành chỉ tiêu 2 năm liên tiếp; năng lực tài chính "
        "chủ đầu tư; "
        "CCN do Nhà nước làm chủ đầu tư cần chuyển giao; dự án thứ cấp chậm tiến độ. "
        "Target watch list, developer capacity, transfers, lagging projects."
    )
    analysis = "targets"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--as-of-year", type=int, help="năm cuối cùng xét chỉ tiêu (mặc định: năm trước)"
        )
        parser.add_argument("--as-of", help="ngày xét tiến độ dự án YYYY-MM-DD (mặc định: hôm nay)")

    def handle(self, *args, **options):
        run = self.run(
            self.analysis,
            options,
            province=options["province"],
            as_of_year=options["as_of_year"],
            as_of=options["as_of"],
        )
        if options["json"]:
            self.emit_json(run)
            return
        r = translate(run.results)
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"Không hoàn thành chỉ tiêu {2} năm liên tiếp / Missed targets two years running — "
                f"{r['scope']} "
                f"(đến năm / up to {r['as_of_year']})"
            )
        )
        self.stdout.write(
            table(
                ["Khu, cụm/Area", "Năm/Years", "Số chỉ tiêu không đạt/Misses"],
                [
                    [w["area_name"], ", ".join(map(str, w["years"])), len(w["misses"])]
                    for w in r["watch_list"]
                ],
            )
        )
        for w in r["watch_list"]:
            self.stdout.write(wrap(w["message_vi"]))
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING("Năng lực tài chính chủ đầu tư / Developer capacity")
        )
        self.stdout.write(
            table(
                [
                    "Chủ đầu tư/Developer",
                    "Vốn CSH/Own capital (tỷ)",
                    "Cần/Required (tỷ)",
                    "Đạt/Passed",
                ],
                [
                    [
                        c["developer_name"],
                        c["own_capital_bn_vnd"],
                        c["required_bn_vnd"],
                        c["passed"],
                    ]
                    for c in r["developer_capacity"]
                ],
            )
        )
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                "CCN do Nhà nước làm chủ đầu tư / State-developed clusters to transfer"
            )
        )
        self.stdout.write(
            table(
                [
                    "Cụm/Cluster",
                    "Tình trạng/Status",
                    "Lấp đầy/Occupancy",
                    "Chưa thuê/Unleased (ha)",
                ],
                [
                    [t["area_name"], t["status"], pct(t["occupancy"]), t["unleased_ha"]]
                    for t in r["transfer_candidates"]
                ],
            )
        )
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"Dự án chậm tiến độ / Lagging projects: {len(r['lagging_projects'])}, "
                f"{fmt_vi(r['counts']['land_to_recover_ha'], 1)} ha"
            )
        )
        self.stdout.write(
            table(
                ["Dự án/Project", "Khu/Area", "Lý do/Reason", "Chậm/Months late", "Đất/Land (ha)"],
                [
                    [
                        p["name"],
                        p["area_id"],
                        p["reason"],
                        p["months_late"],
                        p["land_to_recover_ha"],
                    ]
                    for p in r["lagging_projects"]
                ],
                max_width=40,
            )
        )
        self.footer(run)
