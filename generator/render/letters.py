"""The words of the 落实疫情防控主体责任承诺书: one list for every way the letter is made (the
PDF, the application printed from the browser), so the enterprise signs the same promises.

`{lead}` marks where the epidemic lead's name and title go: each renderer puts its own blanks or
values there.
"""

from __future__ import annotations

LEAD = "{lead}"

COMMITMENTS = (
    "严格落实属地、部门、企业、个人“四方”责任，企业主要负责人为疫情防控第一责任人，成立疫情防控工作专班，"
    "并明确一名企业高管为疫情防控工作主要负责人（" + LEAD + "）。",
    "制定疫情防控和闭环管理方案及应急处置方案，加强应急演练，组织员工签订本承诺书，主动及时报告企业疫情防控情况。",
    "建立职工健康监测制度，每日登记员工健康状况，每周排查旅居史、接触史、时空伴随史，发现异常按要求报告并落实防控措施。",
    "落实门卫登记检查和24小时值班值守制度，对进出人员、车辆严格测温并查验“两码一证”，做好信息登记。",
    "落实进厂物料登记和消杀制度，做好人、货、车辆信息登记，确保全程可追溯；发现问题货物立即封存并报告。",
    "按要求储备足额的防疫物资，设置临时隔离点（设红区内）和临时观察点（设黄区内），做好常态化核酸检测工作。",
    "所在地区发生疫情时，按要求划分风险区域，实施封闭生产和“两点一线”管理，保持正常生产。",
    "完整、准确提供申报材料，对材料的真实性负责，自觉接受主管部门和属地政府的监督检查。",
)
CLOSING = "如有违反上述承诺，本企业自愿承担相应责任，并接受移出白名单等处理。"

# Each promise cut where the lead goes, for templates that put their blanks or values between.
COMMITMENT_PARTS = [clause.split(LEAD) for clause in COMMITMENTS]
