"""Whose document is it: attribute a matched term to Japan, a foreign government or a company.

The actors and their markers are data (``crawler/actors.toml``, explained there). Given an
article's normalised text and the span of a term in it, :func:`attribute` looks, in order, at
a marker right before the term (or "of <marker>" right after it), the maker named in a clause around
it ("... released by Tokyo", "... that Japan adopted", トランプ政権が4日に公表した…), a country named only as the
subject of the verb making it ("Iran revised its ...") and in English the agent of the term's own clause ("X's
decision to revise its ..."), which outrank the sentence's subject, the
markers of its sentence weighted by their grammatical role, the earlier mentions of the same
document (when they are all one owner's; before them the headline's: the owner of the document
noun it names, or its subject), the neighbouring sentences, the nearest attributed term before
it, and the article as a whole. A sentence that only responds to the document (歓迎, 精査,
"would study", "said the revised ... would") leaves it to the earlier mentions, or with none to the next mention
that names its maker (:meth:`Attributor.ahead`): its subject is the one responding. A clause
ending in 中、 and the main clause after it are weighed apart (ロシアが…を続ける中、政府は…); a term in the
中 clause that names no one goes, after the earlier mentions, to the government the main clause presses
(…が進む中、米国防総省は日本に…求めた).

Pure and picklable: no Scrapy, no SQLite; an :class:`Attributor` is built once per process.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from collections.abc import Iterable, Sequence
from typing import Any

#: The owner of a place named with a government's marker in it (``places``, actors.toml): no one.
PLACE = ""
#: An owner must have at least this much weighted evidence to be chosen ...
MIN_EVIDENCE = 1.0
#: ... and this much more than the runner-up.
MARGIN = 1.25

# What may stand between a marker and the term it owns: "米国の新たな国家安全保障戦略",
# "ロシア連邦国家安全保障戦略", "Russia's updated National Security Strategy", "the U.S. 2026 ...".
# による and a verb of making or pursuing after が ("日本による…の改定", "日本が進める国家安全保障戦略の改定")
# tie the marker to the term as closely as の: the relative clause says whose the document is.
_JA_FILLER = re.compile(r"(?:[のが]|による|連邦|政府の?|政権の?|新たな|新た|新|最新の|初の|初めての|独自の|"
                        r"今回の|現行の|進める|進めている|目指す|掲げる|検討する|検討している|予定する|予定している|打ち出した|"
                        r"策定する|策定した|まとめた|[0-9]+年版?の?|版の|[「『(\s])*")
# A bare possessive too ("the United States' new ..."), and what a headline's short name says of the document ("US
# defense strategy", "Japan's security plan"): "Takaichi welcomes US defense strategy" was Japan's.
_EN_FILLER = re.compile(r"(?:['’]s?|[\s,]|the|its|their|new|newly|updated|revised|latest|first|first-ever|"
                        r"inaugural|own|[0-9]{4}|unclassified|long-awaited|much-anticipated|revamped|national|key|"
                        r"defen[cs]e|security|military)*", re.IGNORECASE)
_OF_AFTER = re.compile(r"\s+of\s+(?:the\s+)?", re.IGNORECASE)
# "Japan's decision to revise its National Security Strategy and raise defense spending": the possessive
# before decision/plan/move ... to is the agent of the infinitive, whoever welcomed it ("NATO's Rutte
# welcomed ..."); every term of that clause is the agent's.
_EN_AGENT = re.compile(r"(?:['’]s)?\s+(?:decision|decisions|plan|plans|move|moves|push|bid|effort|efforts|"
                       r"intention|commitment|pledge|drive|resolve|determination|attempt|readiness|willingness|"
                       r"steps|proposal|proposals)\s+to\s+", re.IGNORECASE)
# How far the term may be from that "to": the infinitive's own clause, a few words.
_AGENT_REACH = 90
# A relative clause whose subject made the document: "トランプ政権が4日に公表した新たな国家防衛戦略", "日本政府が来月にも閣議
# 決定する予定の国家安全保障戦略". The clause's subject (Xが) owns the document over the sentence's topic (防衛省は、…を
# 分析している), however long the clause; a verb that only wants it made is not one of making (米国が求める…の改定).
# The verbs of making a document, in the clauses below.
_JA_MAKE = "改定|改訂|見直|策定|閣議決定|決定|公表|発表|まとめ|打ち出|取りまとめ"
_JA_RELATIVE = re.compile(rf"[^、。!?「」\nはが]{{0,30}}?(?:{_JA_MAKE})"
                          r"(?:する|した|している|していた|される|された|す|し|る|た|ている|ていた)(?:予定の|方針の)?"
                          r"(?:新たな|新しい|新|最新の|初の|独自の|[「『])*")
# ... and, the other way round, a clause of making that begins with the document and describes the government right
# after it: "国家安全保障戦略を改定した日本を批判した", whoever criticises.
_JA_MADE_BEFORE = re.compile(rf"を[^、。!?「」\nはがを]{{0,12}}?(?:{_JA_MAKE})(?:した|する|している|していた|したばかりの)")
# ... and one whose subject only wants it made is not its owner: "政府は、米国が見直しを求めた国家防衛戦略を改定する".
_JA_DEMANDED = re.compile(r"[^、。!?「」\nはが]{0,30}?(?:求め|要求|要請|迫っ|迫)(?:る|た|ている|ていた|する|した|している)?"
                          r"(?:新たな|新しい|新|[「『])*")
# The maker named after the document, in a passive or a relative clause: "the National Security Strategy
# released by Tokyo on Friday", "the ... Strategy that Japan adopted". The sentence's subject is usually someone
# responding to it ("Taiwan welcomed ..."), so the maker outranks the sentence's weights, as the agent does.
_EN_MADE = (r"(?:adopted|approved|revised|released|unveiled|updated|issued|published|compiled|finali[sz]ed|"
            r"overhauled|endorsed|announced|rewritten|drawn\s+up)")
_EN_MADE_BY = re.compile(r",?\s+(?:(?:which|that)\s+(?:was|were|has\s+been|had\s+been)\s+)?(?:newly\s+|just\s+)?"
                         + _EN_MADE + r"(?:\s+[\w.,]+){0,3}?\s+by\s+(?:the\s+)?", re.IGNORECASE)
# ... and right after the document, a participle of its making ("the ... Strategy released on Friday"), whoever by.
_EN_MADE_AFTER = re.compile(r",?\s+(?:(?:which|that)\s+(?:was|were|has\s+been|had\s+been)\s+)?(?:newly\s+|just\s+)?"
                            + _EN_MADE, re.IGNORECASE)
# Of those, the verbs of releasing one: what Japan, responding, says of another's (Attributor.responds).
_RELEASED = re.compile(r"公表|発表|releas|unveil|publish|issu", re.IGNORECASE)
# A Japanese verb of making in the passive (改定された, 公表される, 改められた): not its subject's act.
_JA_PASSIVE = re.compile(r"(?:さ|ら)?れ(?:た|る|て)")
# "that" may be left out where no comma stands before the maker ("the National Defense Strategy the Pentagon released").
_EN_MADE_THAT = re.compile(r"(?:,?\s+(?:which|that))?\s+(?:the\s+)?", re.IGNORECASE)
_EN_MADE_VERB = re.compile(r"(?:['’]s)?(?:\s+(?:government|[Cc]abinet|administration))?\s+(?:has\s+|had\s+|just\s+)*"
                           r"(?:adopted|approved|revised|released|unveiled|updated|issued|published|compiled|"
                           r"finali[sz]ed|overhauled|endorsed|announced|rewrote|drew\s+up)\b")
# How far after the term the maker may be named: a few words.
_MADE_REACH = 60
# The subject of the verb that makes the document, right before it: "Iran revised its National Defense Strategy",
# "Kenya on Monday unveiled a new ...", "The Iranian government has adopted its first ...", "Kenyan President William
# Ruto approved a new ...". What stands between a name of the actors' `names` (actors.toml) and the document.
_EN_MAKING = re.compile(
    r"(?:['’]s)?(?:\s+(?:new|incoming|interim|transitional))?(?:\s+(?:government|[Cc]abinet|administration|military|"
    r"parliament|officials|authorities|leaders|leadership|junta|[Dd]efen[cs]e\s+[Mm]inistry|"
    r"[Mm]inistry\s+of\s+[Dd]efen[cs]e|[Ss]ecurity\s+[Cc]ouncil|"
    r"(?:[Pp]resident|[Pp]rime\s+[Mm]inister|[Dd]efen[cs]e\s+[Mm]inister)(?:\s+[A-Z][\w.-]*){0,3}))?"
    r"(?:\s+on\s+[A-Z][a-z]+day|\s+(?:has|have|had|is|are|was|were|been|will|would|just|formally|officially|also|"
    r"quietly|recently|now|finally|(?:plans?|is\s+set|is\s+expected|aims?|intends?|is\s+due|moved|agreed|decided)"
    r"\s+to))*"
    r"\s+(?:(?:revis|adopt|updat|unveil|approv|releas|publish|issu|overhaul|rewr|finali[sz]|introduc|launch|announc|"
    r"endors|enact)[a-z]*|rewrote|dr[ae]wn?\s+up|draws\s+up)(?:\s+an?)?")
# How far before the document its subject may be named: a name, a title and a few words.
_SUBJECT_REACH = 90
# "its"/"their" right before the term: the document of the nearest government named before it in the
# sentence ("Marles welcomed Japan's move to revise its strategy", "The Pentagon released its ..."); so is
# the agent of "its plan to raise defense spending" ("Hegseth praised Japan's buildup and its plan to ...").
_EN_PRONOUN = re.compile(r"\b(?:its|their)\b", re.IGNORECASE)
_EN_PRONOUN_AGENT = re.compile(r"\b(?:its|their)" + _EN_AGENT.pattern, re.IGNORECASE)
# Sentence ends: Japanese stops, ! and ?, a full stop before a space or the end (not after a
# lone capital, as in "U.S." or "J. Smith", nor after Mr, Ms, Dr, No), a line break.
_SENTENCE_END = re.compile(r"[。！？!?\n]|(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bNo)\.(?=\s|$)")
# A Japanese marker followed by は/が is the subject; by を/に/と/へ/や/から/より/との an object.
_JA_SUBJECT = ("は", "が", "も")
_JA_POSSESSIVE = ("の",)
# A name and its title before the particle (岸田文雄首相は, スペイン政府が): the subject still. Read as a
# bare name, 岸田文雄 weighed less than the スペインの of "スペインのマドリードで開かれた会議で", and Japan's
# strategy announced at a summit abroad went to the host.
_JA_TITLED_SUBJECT = re.compile(r"(?:首相|総理|大臣|防衛相|外相|国防相|長官|大統領|首席|氏|政権|政府)(?:は|が|も)")
_JA_OBJECT = ("を", "に", "と", "へ", "や", "から", "より", "など")
# A government's leader addressed (オーストラリアのアルバニージー首相に対し、…改定する方針を説明した): the object's
# possessive is the object's, not the one explaining (the sentence was Australia's, and scored 0).
# Kanji names too (中国の王毅外相との会談で, 韓国の趙顕外相との).
_JA_ADDRESSED = re.compile(r"の[ァ-ヴー・一-龥]{1,12}(?:首相|大統領|国防相|外相|国防長官|国務長官)(?:に対して|に対し|に|と|へ|との)")
# The topic right before a term, with its official, its date or a comma between: "ケニアのルト大統領は2日、<term>".
_JA_TOPIC_BEFORE = re.compile(r"(?:の[ァ-ヴー・]{0,12}(?=大統領|首相|国防相|外相))?"
                              r"(?:大統領|首相|国防相|外相|政府|政権|国防省|外務省)?は(?:[0-9]+日)?、?$")
# ... which the term's clause then makes: "<term>を改定した", "<term>を承認し".
_JA_MAKING_AFTER = re.compile(rf"を[^、。!?「」\nはが]{{0,12}}?(?:{_JA_MAKE}|承認|採択)")
# Not a bare "as": "comes as Japan prepares to revise its own ..." opens a clause whose subject Japan is. "to his
# Australian counterpart" is an object as "to the Australian ..." is.
_EN_OBJECT_BEFORE = re.compile(r"\b(?:with|to|toward|towards|against|from|by|than|of|on|and|between|"
                               r"including|like|such\s+as|as\s+well\s+as|over)\s+(?:(?:the|his|her|their|its)\s+)?$",
                               re.IGNORECASE)
# Where an English clause starts: the text's or a sentence's start, or after a comma (the phrase before it set the
# scene: "At talks in Canberra, ...").
_EN_CLAUSE_START = re.compile(r"(?:^|[,;:.!?][\"”’)]?)\s*$")
# The one briefed is an object, and so is its possessive ("Japan briefed Australia's defense minister on its revised
# ..." is Japan's "its", "The Pentagon briefed Japan on its new ..." the Pentagon's); not one told or urged:
# "Washington urged Tokyo to revise its ..." is Tokyo's.
_EN_AUDIENCE_BEFORE = re.compile(r"\b(?:brief|briefs|briefed|briefing|inform|informs|informed|informing|"
                                 r"notif(?:y|ies|ied|ying)|(?:re)?assur(?:e|es|ed|ing))\s+(?:the\s+)?$", re.IGNORECASE)
# One told that "it would" is the audience too: "Japan told the Philippines it would revise its National Security
# Strategy" was the Philippines' (its "it" taken for the Philippines). Told "to revise" stays the one who acts.
_EN_TOLD_BEFORE = re.compile(r"\b(?:told|tells|tell|telling)\s+(?:the\s+)?$", re.IGNORECASE)
# Its possessive's noun, a title and a name between ("the Philippines' defense secretary that it would"); not one
# told that "it would need to" (the one told is the one who must: "Hegseth told Japan it would need to revise").
_EN_TELLER_AFTER = re.compile(r"(?:['’]s?)?(?:\s+(?!(?:that|it|they)\b)[\w.-]+){0,4}?,?\s+(?:that\s+)?(?:it|they)\s+"
                              r"(?:would(?!\s+(?:need|have)\s+to)|will(?!\s+(?:need|have)\s+to)|is|was|plans|planned|"
                              r"intends|intended|has(?!\s+to)|had(?!\s+to))\b", re.IGNORECASE)

# A sentence that responds to a document (歓迎, 精査, 分析, "welcomed", "would study") is about a document
# already named: its subject is the one responding, not the owner ("防衛省は国家防衛戦略の内容を分析している"
# after a Pentagon headline is the US strategy); so is a headline's ("中国、日本の安保戦略改定に反発").
# 支持率 and 評価額 are not responses.
RESPONSE = re.compile(r"歓迎|評価し|評価す|批判|反発|懸念|注視|精査|分析|受け止め|称賛|支持(?!率)|非難|抗議|警戒|"
                      r"読み解|(?<![A-Za-z])(?:welcom|prais|hail|criticiz|criticis|condemn|stud(?:y|ied|ies|ying)\b|"
                      r"analy[sz]|examin|scrutini|applaud|laud|react|respond)", re.IGNORECASE)
# Xの要求を踏まえ, Xの要請を受けて, Xに応じ: X's is the demand the subject acts on, not the document.
_JA_BASIS = re.compile(r"の?[^。、,!?「」\n]{0,10}?を?(?:踏まえ|受けて|受け、|に応じ|に応え)")
# ... unless the responding subject also makes a document of its own in that sentence ("政府は米国の国家安全
# 保障戦略も踏まえ、国家安全保障戦略を改定した": the second is Japan's).
_OWN_ACT = re.compile(r"改定|改訂|見直|策定|閣議決定|改め|書き換え|刷新|公表|発表|(?<![A-Za-z])(?:revis|updat|overhaul|"
                      r"adopt|draft|rewrit|approv|releas|unveil|publish|issu)", re.IGNORECASE)
_RESPONDED = re.compile(r"(?:作業)?(?:を|に|への|について|に対し)?(?:強く|高く|一定の)?")
# A document in someone's reported words ("The foreign ministry in Taipei said the revised National Security
# Strategy would strengthen deterrence") is commented on, as one welcomed is: the speaker is not its owner.
_EN_SAID = re.compile(r"\b(?:said|says|stated|states|added|noted|told\s+\w+)(?:\s+that)?\s*$")
# ... and in Japanese, the words quoted on it ("木原官房長官は、国家防衛戦略について「同盟の抑止力強化につながる」と述べた"
# after the Pentagon's was Japan's); a quote that makes it (「年内に改定する」) is the speaker's own act still.
_JA_SAID = re.compile(r"(?:について|に関して|に関し|をめぐり|を巡り)、?「[^」]{0,120}」と(?:述べ|語っ|語り|話し|話す|強調|指摘|説明)")
# Japan responding to the revision of a document it names as no one's (自民党は国家安全保障戦略の改定を歓迎した) responds to
# its own government's: another's is named (米国の…改定), and the next mention, "トランプ政権が…公表した国家安全保障戦略",
# made Japan's revision the US's (it scored 0).
_JA_REVISED = re.compile(r"の?(?:前倒し|再)?(?:改定|改訂|見直)")
# A sentence comparing one document with another ("Unlike the ... Strategy the Pentagon released last year, ...",
# 米国の国家安全保障戦略とは異なり), or setting one beside it ("The Pentagon unveiled its own ... in January" after Takaichi
# praised Japan's: it scored 0): its mention names another's, and says nothing of whose the first one is.
_CONTRAST = re.compile(r"(?<![A-Za-z])(?:[Uu]nlike|[Ll]ike|[Cc]ompared\s+(?:with|to)|[Ii]n\s+contrast|than|"
                       r"(?:its|their)\s+own|"
                       r"[Ss]imilar\s+to)(?![A-Za-z])|と(?:は)?(?:異な|違)|に比べ|と比べ|と比較|と同様|とは対照的")
# A headline telling of its government's own document, right after its name: as the subject of a verb of making one
# ("Pentagon unveils new defense strategy", "Taiwan to revise ...", "Indonesia's Prabowo orders review of defense
# posture") or as the owner before one's name ("U.S. defense strategy puts homeland first"). A headline naming a
# government otherwise ("Trump urges allies to spend more", "Seoul wary as security documents revised", "North Korea
# fires missile") heads a Japanese outlet's story of Japan's revision too, whose "the government" is Japan's.
_EN_HEAD_NOUN = r"(?i:strateg(?:y|ies)|review|plans?|doctrine|polic(?:y|ies)|posture|white\s+paper)\b"
_EN_HEAD_MAKES = re.compile(
    r"(?:['’]s\s+[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)?)?"
    r"(?:\s+(?i:to|will|plans\s+to|set\s+to|moves\s+to|orders|formally))*\s+"
    r"(?i:revis|updat|review|overhaul|adopt|draft|rewrit|approv|releas|unveil|publish|issu|announc)\w*"
    r"(?:\s+[\w-]+){0,3}?\s+" + _EN_HEAD_NOUN
    + r"|(?:['’]s?)?(?:\s+(?i:new|updated|revised|latest|first|national|defen[cs]e|security|military))*\s+"
    + _EN_HEAD_NOUN)
# A clause ending in 中、 is one of its own ("安保3文書の改定が進む中、米国防総省は日本に…求めた"): the subject of the
# main clause after it is not the one doing what it says. A verb's form before 中 (進む中, 進めている中), not a
# noun's (期間中, 日中).
# So is one giving a cause (中国が軍事費を増やし続けていることから、政府は…を見直す: China's, scored 0, audit8's probes).
# Not the purpose ため of a verb's plain form (国家安全保障戦略を改定するため、政府は…: in order to, the main clause's
# subject's own): only the cause's, after a past, a negative or a state (増やしたため、 ないため、 続いているため、).
# And so is the scene a connective sets before the comma (中国の急速な軍備増強を背景に、政府は…: China's possessive tied
# with a plain 政府は, and Japan's revision scored 0; 北朝鮮のミサイル開発を念頭に、 ヘグセス米国防長官の来日に先立ち、).
# And the event the main clause answers (NATOが5%目標で合意したことを受け、3文書改定に向けた政府の有識者会議では…:
# NATO's, scored 5, audit16; 米国の新たな国家防衛戦略を踏まえ、).
_JA_AMID = re.compile(r"(?<=[うくすつぬむるぐぶたいだ])(?:中|なか|さなか|ので)で?、|(?:(?<=[たいだ])|(?<=いる)|(?<=ある))ため、|"
                      r"ことから、|(?:を背景に|を念頭に|をにらみ|をにらんで|に備え|に備えて|に対抗し|に対抗して|を直視し|を前に|"
                      r"に先立ち|に先立って|に伴い|に伴って|を理由に|とあって|を受け|を受けて|を踏まえ|を踏まえて)、")
# An English sentence's opening phrase of circumstance, up to its comma ("Following Russia's invasion of Ukraine,",
# "As the U.S. presses allies to spend more,", "Concerned about Pyongyang's missiles,"): a government named there
# sets the scene, and the main clause's subject, "the government" however weak, makes the document (each of these
# was Russia's, the US's or North Korea's, and Japan's revision scored 0).
_EN_OPENING = re.compile(
    r"[\s\"“‘'(]*(?:Following|After|As|Amid|Amidst|With|Given|Despite|Facing|Faced\s+with|Concerned\s+(?:about|over|by)|"
    r"Worried\s+(?:about|over|by)|Wary\s+of|Alarmed\s+(?:by|at)|Citing|Because\s+of|Due\s+to|In\s+response\s+to|"
    r"In\s+light\s+of|In\s+the\s+wake\s+of|Under\s+pressure\s+from|Spurred\s+by|Prompted\s+by|While|Although|"
    r"Though|Before|Ahead\s+of|During|Upon|Returning\s+from|Speaking|Visiting|Since|Responding\s+to|"
    r"To\s+(?:counter|deter|deal\s+with|cope\s+with|address)|(?:When\s+)?[Aa]sked\s+(?:about|whether|if)|"
    r"In\s+(?:a|his|her|their)\s+(?:meeting|talks|speech|call|phone\s+call|interview|press\s+conference)\s+with|"
    r"At\s+(?:a|the|their)\s+(?:meeting|summit|talks|press\s+conference))\s[^,;:。、\n]{1,120},\s*")
# A relative clause set off by commas ("Tokyo, which has watched China's naval expansion with alarm, will revise
# the ..."): the governments it names are its scene, as an object's are, not the sentence's subject.
# "which" only: a who-clause describes a person, and the country it names is usually theirs ("The defence minister,
# who is also Australia's deputy prime minister, said the government would revise ...").
_EN_ASIDE_BEFORE = re.compile(r",\s+which\b[^,;:.!?]*$")
_EN_ASIDE_AFTER = re.compile(r"[^,;:.!?]*,")
# The main clause's topic, before the clause (米国防総省は、日本政府が…を進める中、…): not the clause's.
_JA_TOPIC = re.compile(r"(?:首相|総理|大臣|防衛相|外相|国防相|長官|大統領|報道官|氏|政権|政府)?は")
# ... and every marker of it, the name before the title ("コルビー米国防次官は、日本が…改定することを踏まえ、": the name and
# 米国 outweighed 日本が in the clause, and Japan's revision was the US's, audit16r): its words up to は are kanji and kana.
_JA_TOPIC_PHRASE = re.compile(r"[一-龥々ァ-ヴー・]{0,10}は")
# The government the main clause presses (日本に…求めた, 日本政府に対し…要求, 日本側に…迫っている): the revision
# under way in the clause, named with no owner, is the one pressed.
_JA_ADDRESSEE = re.compile(r"(?:側|政府)?(?:に対して|に対し|に|へ)")
_JA_DEMAND = re.compile(r"求め|要求|要請|迫|促|働きかけ")
# A headline's subject heads it: "米国防総省、新戦略を公表", "政府、国家防衛戦略改定へ", "Pentagon unveils ...", after the
# outlet's label of the kind of story, which names no one (【解説】豪国家防衛戦略、…, 【詳報】米国防総省、… were no one's
# story, and Japan's 反撃能力 as the yardstick of Australia's weapons scored 8, audit16r).
HEAD_OPEN = re.compile(r"(?:【(?:速報|独自|解説|詳報|続報|社説|論説|視点|図解|動画|更新|分析|深層|検証|一問一答|"
                       r"インタビュー|コラム)】|[\s【\[「『(]|The\s+)*")
_JA_HEAD_AFTER = ("、", "が", "は", "も", " ", ",")
_HEAD_CLOSE = " \t\n】]」』)"

#: What a weak marker (政府, "the government") weighs against a full one.
WEAK_WEIGHT = 0.7
#: A marker after the term counts this much of the same marker before it.
AFTER_FACTOR = 0.5
#: How many next mentions a first mention that only responds to its document reads for whose it is.
AHEAD = 3

ROLE_WEIGHTS = {"subject": 3.0, "possessive": 2.0, "plain": 1.5, "after": 1.0, "object": 0.4}


@dataclass(frozen=True)
class Attribution:
    """Who a term occurrence is attributed to, how, and the words that said so."""

    owner: str | None          # actor key ("JP", "US", ...), None when nothing says
    how: str                   # prefix, agent, antecedent, sentence, same, addressee, neighbours, carried, article,
                               # none
    cue: str = ""              # the marker that decided it ("トランプ政権", "Japan's")
    at: int = -1               # where that marker starts, for a prefix (it claims the marker)
    subject: bool = False      # a prefix joined by が or は: the subject of the clause the term is in


@dataclass(frozen=True)
class Marker:
    start: int
    end: int
    owner: str
    text: str
    weight: float
    #: Where the particle that gives its role is read: after a weak marker glued to it by の (韓国政府の有識者会議は:
    #: the panel's は makes 韓国政府 the subject).
    role_at: int = -1


@dataclass
class Attributor:
    """The actors' markers, compiled into one regex (longest marker at a position wins)."""

    labels: dict[str, str]
    _pattern: re.Pattern[str] = field(repr=False)
    _prefix: re.Pattern[str] = field(repr=False)
    _owner: dict[str, tuple[str, float]] = field(repr=False)
    _prefix_owner: dict[str, str] = field(repr=False)
    #: The actors' `names` and `demonyms` (actors.toml), owners only as the subject of the verb making a document.
    _names: re.Pattern[str] | None = field(default=None, repr=False)
    _name_owner: dict[str, str] = field(default_factory=dict, repr=False)
    #: What makes a name in the markers' trie a marker: the word of government after it, by the name's kind.
    _name_follow: dict[str, re.Pattern[str]] = field(default_factory=dict, repr=False)
    #: The longest prefix: how far before a term one is looked for.
    _prefix_reach: int = 6
    #: The actors that are governments (all but those with ``government = false``, actors.toml): whose "the
    #: government" a story's may be.
    _governments: frozenset[str] = frozenset()
    #: The actors' ``envoys`` (actors.toml): markers the scorer leaves out of a sentence that responds.
    envoys: frozenset[str] = frozenset()

    def label(self, owner: str | None) -> str:
        return self.labels.get(owner or "", "unattributed")

    # --- scanning ----------------------------------------------------------------------------

    def markers(self, text: str) -> list[Marker]:
        """Every marker in ``text``, left to right; a weak marker glued to another is dropped
        (プーチン政権 is one marker, "Australian Prime Minister" is Australia's), and joined by の it
        lends the other its role (韓国政府の有識者会議は is Korea as the subject)."""
        found: list[Marker] = []
        at = 0
        while (match := self._pattern.search(text, at)) is not None:
            word = match.group()
            start = match.start()
            if word not in self._owner:
                # A name (Iran, ケニア), a marker only with a word of government after it; else a shorter marker at
                # the same place, else none there.
                tail = self._name_follow[word].match(text, match.end())
                if tail is not None:
                    found.append(Marker(start, tail.end(), self._name_owner[word], text[start:tail.end()], 1.0))
                    at = tail.end()
                    continue
                match = self._markers_alone.match(text, start)
                if match is None:
                    at = start + 1
                    continue
                word = match.group()
            owner, weight = self._owner[word]
            at = match.end()
            if owner == PLACE:  # インド太平洋, 中国地方, "East China Sea": no government's marker inside it either
                continue
            if weight < 1.0 and found and match.start() - found[-1].end <= 1:
                if text.startswith("の", found[-1].end, match.start()):
                    found[-1] = replace(found[-1], role_at=match.end())
                continue
            if weight < 1.0 and owner == "JP" and start > 0 and (
                    "\u30a1" <= text[start - 1] <= "\u30fc" or start >= 2 and text.startswith("同国", start - 2)):
                # A word of government glued to a name in katakana (ルラ政権, エルドアン政権, プラボウォ政権: Japan's
                # leaders are named in kanji) or to 同国 (同国政府: the country just named) is another government's.
                found.append(Marker(match.start(), match.end(), "OTHER", text[max(0, start - 2):match.end()], 1.0))
                continue
            found.append(Marker(match.start(), match.end(), owner, word, weight))
        return found

    def story(self, title: str, markers: Sequence[Marker]) -> str | None:
        """The one government a headline ``title``'s ``markers`` name (weak ones aside), where it tells of its own
        document (:data:`_EN_HEAD_MAKES`), or None: "Pentagon unveils new defense strategy" is the US's story, "US
        urges Japan to ...", "Takaichi welcomes US strategy" and "Trump urges allies to spend more" no one's (nor is
        a headline that responds: the caller's to say, see scoring._lead)."""
        owners = {m.owner for m in markers if m.weight >= 1.0}
        if len(owners) != 1 or not owners <= self._governments:
            return None
        return next(iter(owners)) if any(m.weight >= 1.0 and _EN_HEAD_MAKES.match(
            title, m.end - 2 if m.text.endswith(("'s", "’s")) else m.end) for m in markers) else None

    def retold(self, text: str, markers: Sequence[Marker], story: str,
               documents: Sequence[tuple[str, int]] = ()) -> list[Marker]:
        """A body ``text``'s ``markers`` with the English weak ones ("the government", "Prime Minister") the ``story``'s
        government's once the body has named it, until their own owner is named: in a wire story under "Britain
        publishes defence review", "Britain on Monday published … The government said it would raise defence spending"
        is Britain's, where read as Japan's the UK's and the Pentagon's strategies scored as Japan's. Before the body
        names it, "the government" is Japan's ("Beijing warns of remilitarization": "The government adopted the
        revised ... China's Foreign Ministry called it ..."), and so it is again once Japan is named, as in a
        Japanese outlet's English edition; in Japanese, 政府 is Japan's in any story (米政府 is the US's).
        ``documents`` are (owner, offset) of the body's names of documents only that owner bears (the caller's to
        say): a sentence naming one names its owner."""
        # Nor in a sentence naming its own owner after it, as a Japanese outlet's wire copy adds its speaker ("The
        # government will revise ... , Chief Cabinet Secretary Minoru Kihara said" under "Pentagon releases new defense
        # strategy" was the US's, and Japan's revision scored 0).
        sentences = self.sentences(text)
        own = {(m.owner, bisect.bisect_right(sentences, m.start)) for m in markers if m.weight >= 1.0}
        own |= {(owner, bisect.bisect_right(sentences, at)) for owner, at in documents}
        named: set[str] = set()
        out = []
        for marker in markers:
            if marker.weight >= 1.0:
                named.add(marker.owner)
            elif story in named and marker.owner not in named and marker.text[:1].isascii() \
                    and (marker.owner, bisect.bisect_right(sentences, marker.start)) not in own:
                marker = replace(marker, owner=story)
            out.append(marker)
        return out

    def sentences(self, text: str) -> list[int]:
        """Start offsets of the sentences of ``text`` (the first is 0)."""
        return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]

    # --- deciding ----------------------------------------------------------------------------

    def prefix(self, text: str, start: int, end: int, markers: list[Marker]) -> Attribution | None:
        """A marker right before the term (only fillers between), or "of <marker>" right after; first, the government
        a clause of making describes (:meth:`head`), before the topic ahead of it: "イランは2日、国家安全保障戦略を
        改定した日本を批判した" is Japan's."""
        found = self.head(text, end, markers)
        if found is not None:
            return found
        lo = max(0, start - 30)
        for filler in (_JA_FILLER, _EN_FILLER):
            # The longest run of fillers ending at the term; a marker must end inside it.
            edge = next(e for e in range(lo, start + 1) if filler.fullmatch(text, e, start))
            # The last marker ending by the term (markers do not overlap: their ends are in order too).
            i = bisect.bisect_right(markers, start, key=_end)
            if i and markers[i - 1].end >= edge:
                hit = markers[i - 1]
                return Attribution(hit.owner, "prefix", hit.text, hit.start, text.startswith(("が", "は"), hit.end))
            # "Ukraine's new National Security Strategy": a prefix may end in the possessive the fillers begin with.
            stop = edge + 2 if filler is _EN_FILLER and text.startswith(("'s", "’s"), edge) else edge
            short = self._prefix.search(text, max(0, stop - self._prefix_reach), stop)
            if short is None and stop > edge:
                short = self._prefix.search(text, max(0, edge - self._prefix_reach), edge)
            # A name that is a prefix only, as the topic of the term's clause: "ウクライナは国家安全保障戦略を改定し" (not
            # 米 or 中: 日中は, 期間中は); with its date, a comma or its official between only as the subject making it
            # ("ケニアは2日、国家安全保障戦略を改定した", "ケニアのルト大統領は…を承認した"): "イラン外務省は2日、国家安全保障
            # 戦略について…反発した" is about Japan's, as one of a marker would be.
            topic = _JA_TOPIC_BEFORE.search(text, max(0, edge - 24), edge) if filler is _JA_FILLER else None
            if topic is not None and topic.end() - topic.start() > 1 and not _JA_MAKING_AFTER.match(text, end):
                topic = None
            if short is None and topic is not None:
                short = self._prefix.search(text, max(0, topic.start() - self._prefix_reach), topic.start())
                short = short if short is not None and len(short.group()) > 1 else None
            if short is not None:
                return Attribution(self._prefix_owner[short.group()], "prefix", short.group())
        after = _OF_AFTER.match(text, end, min(len(text), end + 12))
        if after is not None:
            i = bisect.bisect_left(markers, after.end(), key=_start)
            if i < len(markers) and markers[i].start == after.end():
                hit = markers[i]
                return Attribution(hit.owner, "prefix", hit.text, hit.start)
        return None

    def agent(self, text: str, start: int, markers: list[Marker], lo: int) -> Attribution | None:
        """In English, whose clause the term is in when the sentence says so: "X's decision to <verb> ...
        term" (X the agent), or "its"/"their" right before the term (the nearest government before it
        that is not an object). The subject of the sentence ("Rutte welcomed ...") is someone else."""
        before = [m for m in within(markers, lo, start) if m.end <= start]
        for i in range(len(before) - 1, -1, -1):
            marker = before[i]
            if not marker.text[:1].isascii():
                continue
            found = _EN_AGENT.match(text, marker.end, start)
            # No other government between the agent and the term: "Japan's plan to follow the U.S. ..."
            if found is not None and start - found.end() <= _AGENT_REACH and i == len(before) - 1:
                return Attribution(marker.owner, "agent", marker.text)
        edge = next(e for e in range(max(lo, start - 30), start + 1) if _EN_FILLER.fullmatch(text, e, start))
        pronoun = _EN_PRONOUN.search(text, edge, start)
        if pronoun is None:
            # "its plan to <verb> ... term": the pronoun's antecedent is the agent, no government between.
            agents = [m for m in _EN_PRONOUN_AGENT.finditer(text, max(lo, start - _AGENT_REACH - 40), start)
                      if start - m.end() <= _AGENT_REACH and not any(m.end() <= b.start for b in before)]
            pronoun = agents[-1] if agents else None
        if pronoun is None:
            return None
        for marker in (m for m in reversed(before) if m.end <= pronoun.start()):
            if marker.text[:1].isascii() and _role(text, marker, None) != "object":
                return Attribution(marker.owner, "antecedent", marker.text)
        return None

    def maker(self, text: str, end: int, markers: list[Marker], hi: int) -> Attribution | None:
        """In English, the maker named right after the term: "... released by Tokyo", "... that Japan adopted"
        (the first government after the term, nothing but the clause's words between)."""
        i = bisect.bisect_left(markers, end, key=_start)
        if i == len(markers):
            return None
        marker = markers[i]
        if marker.start > min(hi, end + _MADE_REACH) or not marker.text[:1].isascii():
            return None
        if _EN_MADE_BY.fullmatch(text, end, marker.start) or (
                _EN_MADE_THAT.fullmatch(text, end, marker.start) and _EN_MADE_VERB.match(text, marker.end, hi)):
            return Attribution(marker.owner, "agent", marker.text)
        return None

    def head(self, text: str, end: int, markers: list[Marker]) -> Attribution | None:
        """In Japanese, the government right after a relative clause of making that begins with the term: "国家安全
        保障戦略を改定した日本" (を批判した), "国家防衛戦略を公表した米国防総省"."""
        clause = _JA_MADE_BEFORE.match(text, end)
        if clause is None:
            return None
        i = bisect.bisect_left(markers, clause.end(), key=_start)
        if i == len(markers) or markers[i].start != clause.end() or markers[i].text[:1].isascii():
            return None
        return Attribution(markers[i].owner, "agent", markers[i].text)

    def subject(self, text: str, start: int, lo: int) -> Attribution | None:
        """In English, a country of the actors' ``names`` that is the subject of the verb making the term's document
        ("Iran revised its ...", "Kenya on Monday unveiled a new ..."): the nearest such before the term."""
        if self._names is None:
            return None
        found = None
        for name in self._names.finditer(text, max(lo, start - _SUBJECT_REACH), start):
            verb = _EN_MAKING.match(text, name.end(), start)
            if verb is not None and _EN_FILLER.fullmatch(text, verb.end(), start):
                found = name
        return None if found is None else Attribution(self._name_owner[found.group()], "agent", found.group())

    def relative(self, text: str, start: int, markers: list[Marker], lo: int,
                 clause: re.Pattern[str] = _JA_RELATIVE) -> Marker | None:
        """In Japanese, the subject of a relative clause right before the term (Xが…公表した<term>) whose words
        match ``clause`` (of making, or with _JA_DEMANDED of demanding)."""
        subject = next((m for m in reversed(within(markers, lo, start)) if m.end <= start
                        and text.startswith("が", _role_end(m))), None)
        if subject is None or subject.text[:1].isascii() or not clause.fullmatch(text, _role_end(subject) + 1, start):
            return None
        return subject

    def weigh(self, text: str, markers: list[Marker], lo: int, hi: int, term: tuple[int, int] | None,
              factor: float = 1.0, claimed: frozenset[int] = frozenset(),
              subjects: frozenset[int] = frozenset()) -> dict[str, tuple[float, str]]:
        """Weighted evidence per owner from the markers in ``text[lo:hi]`` (outside ``term``),
        leaving out those ``claimed`` as the prefix of another term ("米国の国家安全保障戦略も
        踏まえ、国家安全保障戦略を改定": the 米国 is the first one's). A claimed subject (``subjects``,
        日本が反撃能力を…) still counts for a later term of its clause, no other marker between."""
        evidence: dict[str, tuple[float, str]] = {}
        first = bisect.bisect_left(markers, lo, key=_start)
        for i in range(first, len(markers)):
            marker = markers[i]
            if marker.start >= hi:
                break
            if term is not None and marker.start < term[1] and marker.end > term[0]:
                continue
            if marker.start in claimed and not (
                    term is not None and marker.start in subjects and marker.end <= term[0]
                    and (i + 1 == len(markers) or markers[i + 1].start >= term[0])):
                continue
            role = _role(text, marker, term)
            points = marker.weight * ROLE_WEIGHTS[role] * factor
            if term is not None and marker.start >= term[1] and role != "after":
                # After the term it is usually another clause's subject or owner.
                points *= AFTER_FACTOR
            have, cue = evidence.get(marker.owner, (0.0, ""))
            best_cue = cue if cue and have >= points else marker.text
            evidence[marker.owner] = (have + points, best_cue)
        return evidence

    def attribute(self, text: str, start: int, end: int, markers: list[Marker], sentences: list[int],
                  previous: Attribution | None = None,
                  article: Attribution | None = None, claimed: frozenset[int] = frozenset(),
                  same: Attribution | None = None, subjects: frozenset[int] = frozenset(),
                  lead: Attribution | None = None, later: Sequence[tuple[int, int]] = ()) -> Attribution:
        """Whose is the term at ``text[start:end]``.

        Args:
            markers: ``self.markers(text)``; sentences: ``self.sentences(text)`` (computed once
                per text by the caller).
            previous: the attribution of the nearest attributed term before this one.
            same: the attribution of the nearest earlier mention of the same document; it
                comes before the neighbouring sentences (see below).
            article: the article-wide attribution (:meth:`article_owner`).
            claimed: start offsets of markers that are other terms' prefixes; subjects: those of
                them that are their clause's subject (see :meth:`weigh`).
            lead: the headline's subject (:meth:`lead`): an English sentence's opening that names it is the story's
                own, not a scene (:meth:`follows`).
            later: the spans of the next mentions of the same document in ``text``, for a first mention in a sentence
                that only responds to it (:meth:`ahead`).
        """
        found = self.prefix(text, start, end, markers)
        if found is not None:
            return found
        i = bisect.bisect_right(sentences, start) - 1
        lo, hi = sentences[i], sentences[i + 1] if i + 1 < len(sentences) else len(text)
        found = self.maker(text, end, markers, hi) or self.subject(text, start, lo)
        if found is not None:
            return found
        maker = self.relative(text, start, markers, lo)
        if maker is not None:
            return Attribution(maker.owner, "agent", maker.text)
        demander = self.relative(text, start, markers, lo, _JA_DEMANDED)
        if demander is not None:
            markers = [m for m in markers if m is not demander]
        amid = self.amid(text, end, hi)
        follows = None if amid is not None else self.follows(text, lo, start, markers, lead)
        if amid is None and follows is None:
            chosen = _choose(self.weigh(text, markers, lo, hi, (start, end), claimed=claimed, subjects=subjects))
        else:
            # The term's clause alone, with the main clause's topic before a 中 clause when the term is in the
            # main clause (米国防総省は、日本政府が…を進める中、国家防衛戦略を…) and without it when in the 中 clause.
            clause_lo, clause_hi = (follows.end(), hi) if follows is not None else (lo, amid.start())
            own = [m for m in within(markers, lo, clause_hi) if (clause_lo <= m.start < clause_hi and not (
                amid is not None and m.end <= start and _JA_TOPIC_PHRASE.match(text, _role_end(m)))) or (
                follows is not None and lo <= m.start < clause_lo and _JA_TOPIC.match(text, _role_end(m)))]
            chosen = _choose(self.weigh(text, own, lo, hi, (start, end), claimed=claimed, subjects=subjects))
        # The agent of the term's own clause outranks the sentence's weights, which favour its subject
        # ("Rutte welcomed Japan's decision to revise its ..."); where they agree the sentence is named.
        found = self.agent(text, start, markers, lo)
        # ... but "the government" before "its" is whichever government the sentence names: a weak antecedent gives
        # way to the owner the sentence's markers choose ("The government will publish its National Security Strategy,
        # Defence Secretary John Healey told the Commons" is the UK's).
        if found is not None and (chosen is None or chosen[0] != found.owner) and not (
                found.how == "antecedent" and chosen is not None and self._owner.get(found.cue, ("", 1.0))[1] < 1.0):
            return found
        if chosen is not None and (same is None or same.owner is None) and later \
                and not (chosen[0] == "JP" and _JA_REVISED.match(text, end)) and RESPONSE.search(text, lo, hi) \
                and self.responds(text, markers, lo, hi, (start, end), chosen[0]):
            # The first mention responds ("防衛省は国家防衛戦略を精査している", "Japan welcomed the ..."): the next that
            # says whose it is decides, its responder being no owner ("国家防衛戦略は米国防総省が23日に公表した"). Not one
            # only spoken of ("Takaichi said the ... would", 小泉防衛相は、…について「…」と述べた): a Japanese official on
            # Japan's own, followed by the Pentagon's, made both the US's and Japan's revision scored 0.
            ahead = self.ahead(text, markers, sentences, later, claimed, subjects)
            if ahead is not None:
                return Attribution(ahead.owner, "same", ahead.cue)
        if chosen is not None and not (same is not None and same.owner not in (None, chosen[0])
                                       and self.responds(text, markers, lo, hi, (start, end), chosen[0])):
            return Attribution(chosen[0], "sentence", chosen[1])
        # The same document named again with nothing of its own in its sentence, or in a sentence that
        # responds to it, is the one named before (or the headline's): the next sentence's subject is
        # usually a reaction to it ("米国防総省は国家防衛戦略を公表した。…国家防衛戦略は日本などに…求めた。
        # 日本政府は精査している": the US one).
        if same is not None and same.owner is not None:
            return Attribution(same.owner, "headline" if same.how == "headline" else "same", same.cue)
        if amid is not None:
            found = self.addressee(text, markers, amid.end(), hi)
            if found is not None:
                return found
        nlo = sentences[i - 1] if i > 0 else lo
        nhi = sentences[i + 2] if i + 2 < len(sentences) else len(text)
        around = self.weigh(text, markers, nlo, lo, None, 0.5, claimed)
        for owner, (points, cue) in self.weigh(text, markers, hi, nhi, None, 0.5, claimed).items():
            have, have_cue = around.get(owner, (0.0, cue))
            around[owner] = (have + points, have_cue if have >= points else cue)
        chosen = _choose(around)
        if chosen is not None:
            return Attribution(chosen[0], "neighbours", chosen[1])
        if previous is not None and previous.owner is not None:
            return Attribution(previous.owner, "carried", previous.cue)
        if article is not None and article.owner is not None:
            return article
        return Attribution(None, "none")

    def ahead(self, text: str, markers: list[Marker], sentences: list[int], later: Sequence[tuple[int, int]],
              claimed: frozenset[int] = frozenset(), subjects: frozenset[int] = frozenset()) -> Attribution | None:
        """The owner the first of the next mentions ``later`` (at most :data:`AHEAD`) that says whose it is names: by
        its own words or its sentence's, a sentence that only responds to it saying nothing. Not one whose owner is
        only its prefix, nor one in a comparison (:data:`_CONTRAST`): "LDP lawmakers welcomed the revised National
        Security Strategy. The U.S. National Security Strategy has pressed allies ..." names the US's beside Japan's,
        and Japan's revision scored 0."""
        for start, end in later[:AHEAD]:
            i = bisect.bisect_right(sentences, start) - 1
            hi = sentences[i + 1] if i + 1 < len(sentences) else len(text)
            if _CONTRAST.search(text, sentences[i], hi):
                continue
            found = self.attribute(text, start, end, markers, sentences, claimed=claimed, subjects=subjects)
            if found.how not in ("agent", "antecedent", "sentence") or found.owner is None:
                continue
            if found.how == "sentence" and self.responds(text, markers, sentences[i], hi, (start, end), found.owner):
                continue
            return found
        return None

    def amid(self, text: str, end: int, hi: int) -> re.Match[str] | None:
        """The 中、 that ends the clause of a term ending at ``end``, in the same stretch between commas."""
        found = _JA_AMID.search(text, end, hi)
        return found if found is not None and "、" not in text[end:found.start()] else None

    def follows(self, text: str, lo: int, start: int, markers: Sequence[Marker] = (),
                lead: Attribution | None = None) -> re.Match[str] | None:
        """The last 中、 in ``text[lo:start]``: the term is in the main clause after a 中 clause; or, in English, the
        phrase opening the sentence before its first comma ("Following Russia's invasion of Ukraine, the
        government ..."), when the term is after it and it does not name the headline's subject (``lead``): "South
        Korea begins rewrite of …": "After President Lee Jae-myung took office, the government began revising its
        …" is Korea's own story, its opening no scene."""
        last = None
        for last in _JA_AMID.finditer(text, lo, start):
            pass
        if last is None and (opening := _EN_OPENING.match(text, lo)) is not None and opening.end() <= start:
            if lead is not None and lead.owner is not None and any(
                    m.owner == lead.owner for m in within(markers, opening.start(), opening.end())):
                return None
            return opening
        return last

    def addressee(self, text: str, markers: list[Marker], lo: int, hi: int) -> Attribution | None:
        """The government a demand in ``text[lo:hi]`` is addressed to (日本に…求めた)."""
        for marker in within(markers, lo, hi):
            if not marker.text[:1].isascii() \
                    and _JA_ADDRESSEE.match(text, _role_end(marker)) and _JA_DEMAND.search(text, marker.end, hi):
                return Attribution(marker.owner, "addressee", marker.text)
        return None

    def responds(self, text: str, markers: list[Marker], lo: int, hi: int, term: tuple[int, int], owner: str) -> bool:
        """Whether the sentence ``text[lo:hi]`` responds to the term's document rather than makes it: a
        response verb, and ``owner`` (the sentence's choice) is not the subject of a verb of making one."""
        edge = next(e for e in range(max(lo, term[0] - 30), term[0] + 1) if _EN_FILLER.fullmatch(text, e, term[0]))
        if not (RESPONSE.search(text, lo, hi) or _EN_SAID.search(text, max(lo, edge - 40), edge)
                or _JA_SAID.match(text, term[1], hi)):
            return False
        # "Japan's government said ...": in English the possessive is the subject's.
        subject = any(m.owner == owner and m.end <= term[0] and _role(text, m, term) in (
            ("subject", "plain", "possessive") if m.text[:1].isascii() else ("subject", "plain"))
            for m in within(markers, lo, term[0]))
        # 改定を歓迎: the revision is what is responded to, not the subject's own act; nor is "the revised" of
        # the document's name.
        # Nor is the document's own making, in a participle after it ("the ... Strategy released on Friday") or a
        # passive (改定された国家安全保障戦略): Tokyo welcoming the Pentagon's was Japan's.
        # Japan's own, though, where Japan responds and the verb is one of adopting or revising (Takaichi praising "the
        # ... Strategy approved by her Cabinet on Friday", 高市首相は、閣議決定された国家防衛戦略を評価した, after the
        # Pentagon's was named, scored 0): only one released (公表された, "released on Friday") is another's.
        made = _EN_MADE_AFTER.match(text, term[1])
        acts = (a for a in _OWN_ACT.finditer(text, lo, hi)
                if not RESPONSE.match(text, _RESPONDED.match(text, a.end()).end()) and not edge <= a.start() < term[0]
                and not ((made is not None and term[1] <= a.start() < made.end() or _JA_PASSIVE.match(text, a.end()))
                         and (owner != "JP" or _RELEASED.match(a.group()))))
        return not (subject and next(acts, None) is not None)

    @functools.cached_property
    def _markers_alone(self) -> re.Pattern[str]:
        """The markers without the names: what else may start where a name is no marker (rarely asked)."""
        return re.compile(_trie(self._owner))

    @functools.cached_property
    def _prefixes_longest_first(self) -> list[str]:
        return sorted(self._prefix_owner, key=len, reverse=True)

    def lead(self, title: str, markers: list[Marker]) -> Attribution | None:
        """The headline's subject: a marker (or 米, 豪, ... joined by 、) opening the headline, followed by
        、/が/は/も or a space ("米国防総省、新戦略を公表", "政府 国家防衛戦略改定へ", "Pentagon unveils ..."); or,
        in a Japanese headline, one that closes it, as Japanese headlines name their subject last after
        a space ("国家安全保障戦略を年内改定へ 政府", "反撃能力の運用で協議 防衛省"), which the normalised
        text no longer has between two kanji or kana."""
        at = HEAD_OPEN.match(title).end()
        hit = next((m for m in markers if m.start == at), None)
        if hit is not None:
            follows = ("'s", "’s", " ", ",") if hit.text[:1].isascii() else _JA_HEAD_AFTER
            if title.startswith(follows, hit.end) or hit.text.endswith(("'s", "’s")):
                return Attribution(hit.owner, "headline", hit.text)
            return None
        for form in self._prefixes_longest_first:
            if title.startswith(form, at) and title.startswith(("、", " "), at + len(form)):
                return Attribution(self._prefix_owner[form], "headline", form)
        end = len(title.rstrip(_HEAD_CLOSE))
        last = next((m for m in markers if m.end == end), None)
        if last is not None and not last.text[:1].isascii() and title[:last.start].strip():
            return Attribution(last.owner, "headline", last.text)
        return None

    def article_owner(self, text: str, markers: list[Marker]) -> Attribution:
        """Whose story the article is, from all its markers; ``owner`` None when unclear."""
        chosen = _choose(self.weigh(text, markers, 0, len(text), None), minimum=1.5, margin=1.5)
        return Attribution(chosen[0], "article", chosen[1]) if chosen else Attribution(None, "none")


def _start(marker: Marker) -> int:
    return marker.start


def _end(marker: Marker) -> int:
    return marker.end


def within(markers: Sequence[Marker], lo: int, hi: int) -> Sequence[Marker]:
    """The markers that start in ``[lo, hi)``, by bisection: ``markers`` as :meth:`Attributor.markers` gives them
    (or any part of them, in order). Each term's attribution looks at its sentence's few; a scan of all of them for
    each made a long article's scoring grow with the square of its length."""
    return markers[bisect.bisect_left(markers, lo, key=_start):bisect.bisect_left(markers, hi, key=_start)]


def _role_end(marker: Marker) -> int:
    return marker.role_at if marker.role_at >= 0 else marker.end


def _role(text: str, marker: Marker, term: tuple[int, int] | None) -> str:
    end = _role_end(marker)
    after = text[end:end + 3]
    if marker.text[:1].isascii():
        if _EN_AUDIENCE_BEFORE.search(text, max(0, marker.start - 20), marker.start) or (
                _EN_TOLD_BEFORE.search(text, max(0, marker.start - 16), marker.start)
                and _EN_TELLER_AFTER.match(text, marker.end)) or (
                _EN_ASIDE_BEFORE.search(text, max(0, marker.start - 150), marker.start)
                and _EN_ASIDE_AFTER.match(text, marker.end, marker.end + 150)):
            return "object"
        if after.startswith(("'s", "’s")) or marker.text.endswith(("'s", "’s")):
            # Opening its clause, the possessive is its subject's: "At talks in Canberra, Japan's defense minister
            # explained the planned revision of ..." is Japan's, where the capital outweighed it.
            opens = _EN_CLAUSE_START.search(text, max(0, marker.start - 4), marker.start)
            return "subject" if opens is not None and (term is None or marker.start < term[0]) else "possessive"
        if _EN_OBJECT_BEFORE.search(text[max(0, marker.start - 16):marker.start]):
            return "object"
        if term is not None and marker.start > term[1]:
            return "after"
        return "plain"
    if after.startswith(_JA_OBJECT) or after.startswith("との") or _JA_BASIS.match(text, end) \
            or _JA_ADDRESSED.match(text, end):
        return "object"
    if after.startswith(_JA_SUBJECT) or re.match(r"は|が|[0-9]+日[、,]?", after) \
            or _JA_TITLED_SUBJECT.match(text, end):
        return "subject"
    if after.startswith(_JA_POSSESSIVE):
        return "possessive"
    if term is not None and marker.start > term[1]:
        return "after"
    return "plain"


def _choose(evidence: dict[str, tuple[float, str]], minimum: float = MIN_EVIDENCE,
            margin: float = MARGIN) -> tuple[str, str] | None:
    if not evidence:
        return None
    ranked = sorted(evidence.items(), key=lambda kv: -kv[1][0])
    owner, (points, cue) = ranked[0]
    runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
    if points < minimum or points < margin * runner_up:
        return None
    return owner, cue


# --- Loading ---------------------------------------------------------------------------------

def _trie(forms: Iterable[str]) -> str:
    """One regex over all markers, as a trie (a plain alternation of 400 markers is tried
    marker by marker at every position: some 30 times slower); the longest wins at a position.
    Latin markers match whole words only, and case-sensitively ("US" is not "us")."""
    from .scoring import _trie_regex

    trie: dict[str | None, Any] = {}
    for form in forms:
        units = [re.escape(ch) for ch in form]
        if form[:1].isascii() and form[:1].isalnum():
            units[0] = r"(?<![0-9A-Za-z])" + units[0]
        node = trie
        for unit in units:
            node = node.setdefault(unit, {})
        node[None] = r"(?![0-9A-Za-z])" if form[-1:].isascii() and form[-1:].isalnum() else ""
    return _trie_regex(trie)


def load_attributor(data: dict[str, Any] | None = None) -> Attributor:
    """The shipped actors (``crawler/actors.toml``), or ``data`` parsed the same way."""
    if data is None:
        data = tomllib.loads(resources.files("crawler").joinpath("actors.toml").read_text(encoding="utf-8"))
    owner: dict[str, tuple[str, float]] = {}
    prefix_owner: dict[str, str] = {}
    name_owner: dict[str, str] = {}
    #: How a name is followed by its word of government: en ("Iran's defense minister"), demonym, ja (ケニア政府).
    kinds: dict[str, str] = {}
    labels: dict[str, str] = {}
    envoys: set[str] = set()
    governments = frozenset(key for key, spec in data["actors"].items() if spec.get("government", True))
    for key, spec in data["actors"].items():
        labels[key] = spec.get("label", key)
        for form in spec.get("markers", []):
            owner.setdefault(form, (key, 1.0))
        for form in spec.get("envoys", []):
            owner.setdefault(form, (key, 1.0))
            envoys.add(form)
        # 比政府, 印首相, 露大統領: an abbreviation is a marker only glued to a word of government (see actors.toml).
        for short in spec.get("abbreviations", []):
            for word in data.get("institutions", []):
                owner.setdefault(short + word, (key, 1.0))
        for form in spec.get("weak", []):
            owner.setdefault(form, (key, WEAK_WEIGHT))
        for form in spec.get("prefixes", []):
            prefix_owner.setdefault(form, key)
        # A country named as often as the setting (Iran, Kenya): its name owns a document as the subject of the verb
        # making it, and before it ("Kenya's new ...", "the Kenyan ..."); see actors.toml.
        for form in spec.get("names", []) + spec.get("demonyms", []):
            name_owner.setdefault(form, key)
        for form in spec.get("names", []):
            # ケニアの…, ケニアは…, "Kenya's new ...", "the Kenyan ...".
            prefix_owner.setdefault(form if not form[:1].isascii() else form + "'s", key)
            if form[:1].isascii():
                prefix_owner.setdefault(form + "’s", key)
            kinds[form] = "en" if form[:1].isascii() else "ja"
        for form in spec.get("demonyms", []):
            prefix_owner.setdefault(form, key)
            kinds[form] = "demonym"
    for form in data.get("places", []):
        owner.setdefault(form, (PLACE, 0.0))
    # ... and with a word of its government, a marker (ケニア政府, "Iran's defense minister", "Kenyan officials"). The
    # names are forms of the one trie and the word after one is matched where a name is found: each pair listed made
    # the trie ten times larger and loading it seconds long, in every process that scores.
    words = data.get("english_institutions", [])
    words = words + [" ".join(w if w == "of" else w[:1].upper() + w[1:] for w in word.split()) for word in words]
    said = _trie(words) if words else None
    follow = {"en": re.compile(f"['’]s (?:{said})") if said else None,
              "demonym": re.compile(f" (?:{said})") if said else None,
              "ja": re.compile(f"(?:{_trie(data['institutions'])})") if data.get("institutions") else None}
    name_follow = {form: follow[kind] for form, kind in kinds.items() if form not in owner and follow[kind] is not None}
    pattern = re.compile(_trie([*owner, *name_follow]))
    # An English prefix is a whole word ("Ukraine's", not the end of another word); a trie, as the markers are, since
    # the countries' names made a plain alternation the slowest step of scoring.
    prefix = re.compile("(?:" + _trie(prefix_owner) + ")$")
    names = re.compile(_trie(name_owner)) if name_owner else None
    return Attributor(labels=labels, _pattern=pattern, _prefix=prefix, _owner=owner, _prefix_owner=prefix_owner,
                      _prefix_reach=max(map(len, prefix_owner), default=6), _names=names, _name_owner=name_owner,
                      _name_follow=name_follow, _governments=governments, envoys=frozenset(envoys))
