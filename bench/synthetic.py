"""A synthetic register of any size: valid credit codes, rounds, removals and re-admissions.

Used by the benchmarks (and tests that need volume). Deterministic for a given seed, so two runs
measure the same data. Written as YAML text directly: 10,000 enterprises take well under a second.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from generator.register.uscc import make

TOWNSHIPS = (
    "新集镇",
    "沙窝镇",
    "吴陈河镇",
    "苏河镇",
    "八里畈镇",
    "周河乡",
    "陈店乡",
    "千斤乡",
    "卡房乡",
    "郭家河乡",
    "泗店乡",
    "浒湾乡",
    "箭厂河乡",
    "田铺乡",
    "陡山河乡",
)
BRAND = "青岚松竹栗茶泉云杉白红金银长重行映丰鸿恒卓鹏顺福惠安鲜百乡山石桥九龙新光华宏达盛兴隆昌泰和润德信诚嘉禾瑞祥"
INDUSTRIES = {
    "工业": (
        ("纺织", "纺织业"),
        ("机械", "通用设备制造业"),
        ("食品", "农副食品加工"),
        ("电子", "电子元件制造"),
        ("建材", "非金属矿物制品业"),
        ("包装", "纸制品制造"),
        ("木业", "木材加工"),
        ("塑业", "塑料制品业"),
    ),
    "商贸流通": (("商贸", "日用品批发"), ("物流", "道路货物运输"), ("超市", "综合零售"), ("医药连锁", "药品零售")),
    "电商平台": (("电子商务", "互联网零售"), ("网络科技", "互联网平台")),
}
QUALIFICATIONS = {
    "工业": ("规上工业企业", "专精特新中小企业培育库企业"),
    "商贸流通": ("关系民生的商贸流通电商企业",),
    "电商平台": ("关系民生的商贸流通电商企业",),
}
ROUND_SIZE = 200
FIRST_ROUND = date(2022, 6, 6)


def _org_codes(rng: random.Random, count: int) -> list[str]:
    """Distinct codes in the order drawn: the first n are the same for any count >= n."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen.setdefault("MA" + "".join(rng.choice(alphabet) for _ in range(6)))
    return list(seen)


def _names(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """(name, sector, industry) for `count` distinct enterprises."""
    combos = [
        (a + b, sector, word, industry)
        for a in BRAND
        for b in BRAND
        if a != b
        for sector, pairs in INDUSTRIES.items()
        for word, industry in pairs
    ]
    rng.shuffle(combos)  # a fixed shuffle for the seed: the first n names do not depend on count
    if count > len(combos):
        raise ValueError(f"at most {len(combos)} distinct names")
    return [(f"新县{brand}示例{word}有限公司", sector, industry) for brand, sector, word, industry in combos[:count]]


def _weekday_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def round_dates(rounds: int) -> list[date]:
    """Publication dates spread from 2022-06 to 2026-10 (inside the calendar's known years)."""
    span = (date(2026, 10, 15) - FIRST_ROUND).days
    step = max(1, span // max(1, rounds - 1))
    return [_weekday_after(FIRST_ROUND + timedelta(days=i * step)) for i in range(rounds)]


def register_yaml(count: int, seed: int = 1, extra_round: int = 0) -> str:
    """A register of `count` enterprises, plus a last round of `extra_round` new ones on 2026-11-25.

    The first `count` enterprises are the same with or without the extra round (their own random
    stream), so a benchmark can add a round to an unchanged register.
    """
    rng = random.Random(seed)
    total = count + extra_round
    orgs = _org_codes(random.Random(seed), total)
    names = _names(random.Random(seed + 1), total)
    rounds = max(1, -(-count // ROUND_SIZE))
    dates = round_dates(rounds)
    lines = ["# synthetic register for benchmarks", "rounds:"]
    round_ids = []
    for index, day in enumerate(dates, start=1):
        round_id = f"r{index:03d}"
        round_ids.append((round_id, day))
        lines += [f'  - id: "{round_id}"', f"    title: 第{index}批", f"    notice_start: {day}"]
    if extra_round:
        round_ids.append(("extra", date(2026, 11, 25)))
        lines += ['  - id: "extra"', "    title: 新增批次", "    notice_start: 2026-11-25"]
    lines.append("enterprises:")
    for index in range(total):
        name, sector, industry = names[index]
        round_id, published = round_ids[min(index // ROUND_SIZE, rounds - 1)] if index < count else round_ids[-1]
        applied = published - timedelta(days=20)
        qualification = rng.choice(QUALIFICATIONS[sector])
        township = rng.choice(TOWNSHIPS)
        history = [
            f"      - {{date: {applied}, event: applied}}",
            f"      - {{date: {applied + timedelta(days=5)}, event: reviewed, by: {township}}}",
            f'      - {{date: {published - timedelta(days=3)}, event: approved, round: "{round_id}"}}',
        ]
        if index < count and rng.random() < 0.03 and published < date(2026, 6, 1):
            removed = published + timedelta(days=rng.randint(30, 120))
            history.append(f"      - {{date: {removed}, event: removed, reason: 企业停产，生产经营状态异常}}")
        lines += [
            f'  - uscc: "{make("91", "411523", orgs[index])}"',
            f"    name: {name}",
            f"    sector: {sector}",
            f"    qualifications: [{qualification}]",
            f"    township: {township}",
            f"    address: 新县{township}示例路 {index + 1} 号",
            f"    industry: {industry}",
            "    legal_representative: 王某明",
            f"    employees: {rng.randint(10, 900)}",
            "    main_products: 示例产品",
            "    epidemic_lead: {name: 刘某华, title: 副总经理}",
            f'    contact: {{name: 陈某, phone: "0376-0{rng.randint(1000000, 9999999)}"}}',
            "    declarations: {registered_in_county: true, operating_normally: true, good_credit: true, "
            "environment_compliant: true, safety_compliant: true, follows_guideline: true}",
            "    exclusions: {fraud: false, major_accident: false, serious_dishonesty: false}",
            "    history:",
            *history,
        ]
    return "\n".join(lines) + "\n"
