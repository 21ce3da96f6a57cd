"""Invented names, places and numbers for the demo people (every name is drawn at random)."""

from __future__ import annotations

import datetime as dt

# --- Names (drawn at random: every name is invented) --------------------------------------------

# fmt: off
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = tuple(1 / (rank + 6) for rank in range(len(SURNAMES)))
GIVEN_WOMEN = (
    "婷娟静丽敏燕艳芳玲雪琳洁颖欣怡佳梦雨露倩瑶璐悦蕾薇莉慧婧晶丹萍霞月琪茜妍馨诗涵思彤可宁韵岚菲蓉莹"
)
GIVEN_MEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭龙林阳博文昊然轩豪峰成亮新洋毅源翔睿哲航"
GIVEN_ANY = "子一思家嘉雨欣晓梓若文天海春秋云安书卓泽明清昕晨宁"
ETHNICITIES = {
    "汉族": 930, "土家族": 20, "苗族": 12, "回族": 10, "壮族": 8, "彝族": 6,
    "满族": 5, "蒙古族": 3, "藏族": 3, "侗族": 3,
}

# Places of the imaginary city, for the other hospitals of a city-scale volume.
PLACES = [
    "白石", "松溪", "云岭", "南湖", "东川", "西岭", "北坪", "临江", "清河", "柳林", "桃源", "石门",
    "金沙", "玉泉", "长宁", "安平", "星桥", "望江", "凤鸣", "龙溪", "梅岭", "竹溪", "兰亭", "枫桥",
]
HOSPITAL_KINDS = ("人民医院", "中医院", "妇幼保健院", "中心医院", "第二人民医院")
# Area codes for ID numbers (first six digits) and league regions (four digits of development numbers).
ID_AREAS = (
    "510104", "510107", "430102", "420106", "610113", "530102", "520102", "450103", "360102", "410105",
)
PHONE_PREFIXES = (
    "130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159",
    "166", "175", "176", "177", "180", "181", "182", "183", "186", "187", "188", "189", "191", "198", "199",
)

# fmt: on

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number(area: str, birth: dt.date, sequence: int) -> str:
    """A resident ID number (GB 11643-1999) with its check digit; ``sequence`` odd for men."""
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
