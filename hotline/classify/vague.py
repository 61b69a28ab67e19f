"""Vague appeals (issue 14, Build 1 and 5): the text says too little to tell what the appeal is
about or who should handle it ("上次那个问题还没解决", "我家楼下那个地方最近一直有问题"). Such an
appeal goes to the dispatcher queue with the reason shown, never to automatic dispatch.

Rule: an appeal is vague when it names no concrete subject (a thing, service or place a unit is
responsible for: water, a streetlight, social insurance, a school, a shop...) once the generic
words that point at an unnamed subject (那个问题, 那个事, 那个补贴, 进度) are set aside. The subject
list is deliberately broad: a false "vague" only costs an agent's look, but the classifier's own
floor (triage.AutoPolicy) still catches what this list lets through. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import cues

# concrete subjects: any one of these names what the appeal is about
SUBJECTS = re.compile(
    # utilities and public works
    r"水管|供水|停水|自来水|水费|水表|水压|水龙头|下水道|排水|污水|沙井|井盖|化粪池|积水|水浸|内涝|"
    r"电费|停电|供电|电线|电箱|变压器|电压|燃气|煤气|天然气|液化气|通信|网线|光缆|信号|宽带|"
    r"路灯|红绿灯|信号灯|路面|道路|马路|人行道|斑马线|护栏|天桥|桥|隧道|坑|塌|树|绿化|公园|"
    r"电梯|噪音|噪声|吵|油烟|臭|废气|排污|河涌|河|垃圾|厕所|公厕|广告牌|招牌|外墙|围挡|工地|施工|脚手架|"
    r"山坡|滑坡|挡土墙|违建|违章|加建|占道|摆摊|乱停|违停|停车|消防|火|烟|狗|猫|老鼠|蚊|"
    # services and rights
    r"社保|医保|公积金|养老金|退休|低保|救助|残疾|补贴|津贴|工资|欠薪|劳动|仲裁|工伤|合同|离职|招聘|"
    r"户口|户籍|落户|居住证|身份证|护照|通行证|签注|驾驶证|驾照|车牌|上牌|年检|违章|罚单|"
    r"学校|学位|入学|转学|幼儿园|老师|学生|校服|学费|培训|考试|医院|医生|护士|诊所|疫苗|药|体检|"
    r"物业|业主|房东|租房|房租|押金|公租房|人才房|房产|不动产|购房|交楼|开发商|装修|中介|"
    r"商家|商铺|店|超市|餐馆|饭店|外卖|快递|网购|退款|退费|预付卡|会员卡|假货|过期|食品|"
    r"公交|地铁|出租车|网约车|司机|高速|车站|驾校|营业执照|执照|许可证|税|发票|企业|公司|工厂|厂|老板|"
    r"政务|窗口|办事大厅|办事指南|证明|结婚登记|户口登记|结婚|离婚|出生|死亡|殡葬|墓|接线员|回访|短信|城管|交警|民警|派出所|警察|"
    r"图书馆|体育馆|博物馆|景区|文化|网吧|酒吧|ktv|赌博|传销|诈骗|"
    r"停水|停电|漏水|漏气|渗水|漏雨|裂缝|开裂|房屋|楼上|楼下邻居|邻居|装修|广场舞|跳绳|拖椅子|"
    r"救护车|急救|120|110|119|报警|出警|电动车|摩托车|汽车|车辆|私家车|货车|泥头车|入户|地质|水库|鱼|"
    r"菜市场|市场|环卫|保洁|保险|理赔|骗|电鱼|鞭炮|烟花|停放|充电|地铁|高铁|机场|码头|公路|"
    r"饭堂|长者|老人院|养老院|社区医院|卫生院|药店|口罩|核酸|殡仪|婚姻|生育|计生|兵役|退役|"
    r"房子|屋顶|墙体|围墙|楼道|楼梯|大门|门禁|窗户|水井|水沟|渠道|桥梁|灯光|树木|草地|山上|山坡|江边|湖边|"
    r"池塘|鱼塘|河涌|工业区|商场|餐厅|酒店|银行|"
    r"车祸|伤残|鉴定|护坡|斜坡|养老|减速带|车被|领车|补助|证书|电工证|考证|水淹|汛期|防汛|台风|暴雨|塔吊|"
    r"电闸|跳闸|线路|盖板|水渠|安全检查|年检|维修|保修|物价|价格|收费|罚款|拆迁|征地|宅基地|农村|耕地|"
    r"农田|小学|中学|初中|高中|大学|积分|车库|仓库|隔离带|绿化带|种花|建房|起楼|宠物|流浪|乞讨|精神病|吸毒|走失|寻人|失物|彩票|银行卡|贷款|信用卡|手机|话费|网络|网站|app|小程序")
# words that point at a subject the caller does not name
_GENERIC = re.compile(
    r"(那个|这个|那件|这件|上次(说的)?(那个)?|之前(那个)?|那边(那个)?)(问题|事情?|地方|补贴|政策|东西|情况|时间|单子|手续|申请|材料)"
    r"|单号|进度|有问题|搞成这样|不归他们管|推来推去")
_SHORT = 15
# no subject word in a short note: too little to route (longer notes without one are left to the
# classifier, they usually describe something the subject list lacks)
_SHORT_NO_SUBJECT = 30
# the caller complains that "it" is not handled without saying what "it" is
_UNNAMED = re.compile(r"没人(处理|管|理)|受不了|老样子|推来推去|不归他们管|不知道(该|要)?找(谁|哪个部门)|"
                      r"找哪个部门|管不管|一点用都没有|都说会处理|很多遍|好多遍|查记录|有点情况|有情况|有点问题|出问题了|出了点问题|不办事|这么多次|没(有)?消息|没(有)?下文|转过去|拖到什么时候|还是一样|又出问题|怎么样了|进度|单号|帮帮忙|"
                      r"有没有结果|什么结果|办到哪|到哪一步|一个东西|一个困扰|明确的说法")


@dataclass(frozen=True)
class Vague:
    reason: str   # Chinese, shown in the dispatcher queue


def detect(text: str) -> Vague | None:
    s = cues.plain(text)
    if not s:
        return Vague("诉求内容为空")
    stripped = _GENERIC.sub("", s)
    # "那个补贴" names no subsidy: a generic pointer cancels the subject word it carries
    if SUBJECTS.search(stripped):
        return None
    if _GENERIC.search(s):
        return Vague("诉求未说明具体事项（只提到“那个问题/那件事”等），无法判断承办部门")
    if len(re.sub(r"\W", "", s)) <= _SHORT:
        return Vague("诉求过短，未说明具体事项和地点")
    if len(re.sub(r"\W", "", s)) <= _SHORT_NO_SUBJECT:
        return Vague("诉求未说明具体事项和地点，无法判断承办部门")
    if _UNNAMED.search(s):
        return Vague("诉求未说明具体事项，无法判断承办部门")
    # no subject word found but the caller does describe something: leave it to the classifier's
    # floor (an unknown reading does not auto-dispatch either)
    return None
