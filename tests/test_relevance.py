"""Relevance that knows whose strategy it is (issue 10): attribution, structure, the labelled
set's floors, and learning from the reviewers' decisions with `newsmon learn` / `explain`
as real processes on a real SQLite file.

The short texts below are ours, written in the vocabulary of the real articles of the labelled
set (tests/fixtures/relevance, sources there).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from crawler import relevance, store
from crawler.scoring import explain, load_topics, score_article
from crawler.store import score_fields
from storage import open_db, queries
from storage.queries import evidence

from .relevance_set import RELEVANCE as RELEVANCE_FIXTURES, evaluate, load, load_heldout, load_heldout_listings, rules_decisions, top_half_share

TOPIC = "defense-strategy"


@pytest.fixture(scope="module")
def topics():
    return load_topics()


def owners(text: str, term: str, topics, title: str | None = None) -> list[tuple[str | None, str]]:
    """(owner, how) of each occurrence of ``term`` in the trace."""
    trace = explain(title, text, topics)["topics"][0]
    match = next(m for m in trace["matches"] if m["term"] == term)
    return [(o["owner"], o["how"]) for o in match["occurrences"]]


def top(title: str | None, text: str, topics):
    return score_article(title, text, topics)[0]


# --- Attribution ------------------------------------------------------------------------------

ATTRIBUTED = [
    # A marker right before the term decides.
    ("米国の国家安全保障戦略は中国を最大の競争相手と位置づけた。", "国家安全保障戦略", "US", "prefix"),
    ("米国家防衛戦略は本土防衛を最優先とした。", "国家防衛戦略", "US", "prefix"),
    ("ロシア連邦国家安全保障戦略の改定は6年ぶりとなる。", "国家安全保障戦略", "RU", "prefix"),
    ("Russia's updated National Security Strategy names the United States as a threat.",
     "National Security Strategy", "RU", "prefix"),
    ("Putin signed the National Security Strategy of the Russian Federation.",
     "National Security Strategy", "RU", "prefix"),
    # Otherwise the sentence: its subject counts most, an object (中国を念頭に) little.
    ("トランプ米政権は4日、新たな国家防衛戦略を公表した。", "国家防衛戦略", "US", "sentence"),
    ("韓国の尹錫悦政権は7日、国家安保戦略を発表した。", "国家安全保障戦略", "KR", "sentence"),
    ("政府は中国を念頭に、国家安全保障戦略を年内に改定する。", "国家安全保障戦略", "JP", "sentence"),
    ("The Pentagon released its National Defense Strategy on Friday.", "National Defense Strategy", "US",
     "sentence"),
    ("Japan will revise its National Security Strategy by the end of the year.", "National Security Strategy",
     "JP", "sentence"),
    # "Australian Prime Minister": the title is Australia's, not a Japanese prime minister's.
    ("The Australian Prime Minister said the National Defence Strategy sets out a new approach.",
     "National Defense Strategy", "AU", "sentence"),
]


@pytest.mark.parametrize("text,term,owner,how", ATTRIBUTED)
def test_each_document_term_is_attributed(topics, text, term, owner, how):
    assert owners(text, term, topics) == [(owner, how)]


def test_a_later_mention_inherits_whose_it_is(topics):
    text = "トランプ米政権は新たな国家安全保障戦略を公表した。西半球を最優先とする。同戦略は国家安全保障戦略として異例の内容だ。"
    assert [o for o, _ in owners(text, "国家安全保障戦略", topics)] == ["US", "US"]
    score = top("トランプ政権、国家安全保障戦略を公表", text, topics)
    assert not score.relevant and score.score == 0
    # Shown, at 0 points, so that a reviewer sees why it is not relevant.
    fields = score_fields("トランプ政権、国家安全保障戦略を公表", text, topics)
    assert fields["topic"] == TOPIC and fields["threshold"] == 6.0
    assert evidence(fields["matched_terms"]).startswith("国家安全保障戦略 ×3 [foreign] — US (トランプ")


def test_another_countrys_prefix_is_not_the_next_terms(topics):
    # 米国の belongs to the first mention; the second is the government's.
    text = "政府は16日、米国の国家安全保障戦略も踏まえ、国家安全保障戦略を改定した。"
    assert [o for o, _ in owners(text, "国家安全保障戦略", topics)] == ["US", "JP"]
    assert top(None, text, topics).relevant


def test_the_subject_of_a_clause_owns_its_every_term(topics):
    # 日本が is the subject of the clause that names both policies: it was claimed by the first as its
    # prefix and left out for the second, which went to the foreign ministry that objected to them.
    text = "中国外務省は、日本が反撃能力を保有し防衛費を増額することに強く反発した。"
    assert owners(text, "防衛費", topics) == [("JP", "sentence")]
    assert top("中国が反発", text, topics).relevant
    text = "米国務省は、日本政府が防衛費をGDP比2%に増やし、反撃能力を保有すると決めたことを歓迎した。"
    assert [o for o, _ in owners(text, "反撃能力", topics)] == ["JP"]
    # Another subject between them still takes the later term.
    assert [o for o, _ in owners("米国が国家安全保障戦略を公表し、政府も国家安全保障戦略を改定した。",
                                 "国家安全保障戦略", topics)] == ["US", "JP"]


# An ally's official welcoming Japan's revision: the official is the subject of "welcomed", but the
# document is the one whose revision Japan decided ("Japan's decision to revise its ...", 日本による…の改定,
# 日本が進める…). The official's markers (U.S., Rubio, Australian, Marles, NATO) outweighed Japan's and the
# story scored 0 as a foreign document.
WELCOMED = [
    ("U.S. Secretary of State Marco Rubio welcomed Japan's decision to revise its National Security Strategy.",
     "National Security Strategy"),
    ("Australian Defence Minister Richard Marles welcomed Japan's decision to revise its National Security Strategy.",
     "National Security Strategy"),
    (("NATO Secretary General Mark Rutte welcomed Japan's decision to revise its National Security Strategy and "
      "raise defense spending."), "defense spending"),
    ("Rutte said NATO welcomed Japan's plan to revise its National Security Strategy.", "National Security Strategy"),
    # ... and the agent of "its plan to": Japan, not the U.S. official who praised it.
    ("U.S. Defense Secretary Pete Hegseth praised Japan's defense buildup and its plan to raise defense spending.",
     "defense spending"),
    ("豪州政府は日本の国家安全保障戦略改定を歓迎した。", "国家安全保障戦略"),
    ("NATOのルッテ事務総長は、日本による国家安全保障戦略の改定を歓迎した。", "国家安全保障戦略"),
    ("豪州のマールズ国防相は、日本が進める国家安全保障戦略の改定を歓迎した。", "国家安全保障戦略"),
]


@pytest.mark.parametrize("text,term", WELCOMED)
def test_an_ally_welcoming_japans_revision_leaves_the_document_japans(topics, text, term):
    assert {o for o, _ in owners(text, term, topics)} == {"JP"}
    assert top(None, text, topics).relevant


# A neighbour welcoming Japan's new strategy names the maker after the document, in a passive or a relative
# clause ("the ... Strategy approved by Japan's Cabinet", "that Japan adopted on Friday"): the sentence's subject
# is the one welcoming, and these went to Taiwan (0) or scored 4. The same shape with another maker is that maker's: the
# Pentagon's strategy welcomed by Japan's ministry scored 5.75 as Japan's.
MADE_BY = [
    ("Taiwan hails Japan's security policy shift",
     ("Taiwan's President Lai Ching-te on Saturday welcomed the revised National Security Strategy that Japan "
      "adopted on Friday. The document calls China an unprecedented strategic challenge."), "JP", True),
    ("Taipei praises Tokyo's strategy",
     ("Taiwan's foreign ministry on Saturday praised the National Security Strategy approved by Japan's Cabinet, "
      "saying it showed resolve to keep the peace in the Taiwan Strait."), "JP", True),
    ("Japan welcomes U.S. defense strategy",
     ("Japan's Defense Ministry on Saturday welcomed the new National Defense Strategy released by the Pentagon on "
      "Friday, which calls on allies to spend more."), "US", False),
    ("Taiwan welcomes U.S. strategy",
     "Taiwan welcomed the National Security Strategy that the Trump administration released on Thursday.", "US", False),
    ("Taiwan issues security strategy",
     ("Taiwan's National Security Council on Monday published the National Security Strategy approved by President "
      "Lai Ching-te, naming China as the main threat."), "TW", False),
    ("Taiwan publishes its own national defense report",
     ("Taiwan's defense ministry published its National Defense Report on Tuesday, a document drawn up by the "
      "ministry every two years, warning of growing Chinese military pressure."), None, False),
]


@pytest.mark.parametrize("title,text,owner,relevant", MADE_BY)
def test_the_maker_named_after_the_document_owns_it(topics, title, text, owner, relevant):
    if owner is not None:
        term = "National Defense Strategy" if "Defense Strategy" in text else "National Security Strategy"
        assert {o for o, _ in owners(text, term, topics, title)} == {owner}
    assert top(title, text, topics).relevant is relevant


# A neighbour's comment on Japan's strategy in reported words ("The foreign ministry in Taipei said the revised
# National Security Strategy would ..."): the speaker, the only marker of its sentence, was its owner and the story
# scored 0, with or without a headline naming Japan's. The speaker comments on the document the lead named in short
# ("Japan's new security strategy"), as one welcoming it does. Taiwan's own strategy, and a document the speaker's
# government revises ("Japan's government said ... would be revised"), stay their owners'.
SAID = [
    ("Taiwan welcomes Japan's new security strategy",
     ("Taiwan welcomed Japan's new security strategy on Saturday. The foreign ministry in Taipei said the revised "
      "National Security Strategy would strengthen deterrence in the region."), "JP", True),
    (None, ("Taiwan welcomed Japan's new security strategy on Saturday. The foreign ministry in Taipei said the "
            "revised National Security Strategy would strengthen deterrence in the region."), "JP", True),
    ("Pentagon unveils new defense strategy",
     ("The Pentagon's new defense strategy calls on allies to spend more. Japan's government said the National "
      "Defense Strategy would be revised by December."), "JP", True),
    ("Taiwan issues new security strategy",
     ("The National Security Council in Taipei published Taiwan's first National Security Strategy in a decade on "
      "Monday. The council said the revised National Security Strategy would strengthen deterrence against Beijing."),
     "TW", False),
    ("Taiwan unveils defense strategy",
     ("The defense ministry in Taipei said the new National Defense Strategy would put drones and mobile missiles at "
      "the centre of deterrence."), "TW", False),
    ("Taiwan revises defense strategy",
     ("Japan's new security strategy took effect last year. Taiwan's defense ministry in Taipei released its revised "
      "National Defense Strategy on Monday, saying drones would be at the centre of deterrence."), "TW", False),
    ("Taiwan releases defense review",
     "Taiwan's defense ministry in Taipei released its Quadrennial Defense Review on Monday.", None, False),
    # Japan's ambassador was the speaker, and the strategy Japan's (4.75).
    ("Australia releases defence strategy",
     ("Australia's new defence strategy was released on Wednesday. Japan's ambassador said the National Defence "
      "Strategy would deepen cooperation between the two countries."), "AU", False),
]


@pytest.mark.parametrize("title,text,owner,relevant", SAID)
def test_a_document_in_someones_reported_words_is_not_the_speakers(topics, title, text, owner, relevant):
    if owner is not None:
        term = "National Defense Strategy" if "Defense Strategy" in text or "Defence Strategy" in text \
            else "National Security Strategy"
        assert {o for o, _ in owners(text, term, topics, title)} == {owner}
    assert top(title, text, topics).relevant is relevant


def test_japans_strategy_compared_with_the_us_one_stays_relevant(topics):
    text = ("Japan will revise its National Security Strategy this year, the government said. "
            "The U.S. National Security Strategy released in December put the Western Hemisphere first.")
    score = top("Japan to revise security strategy", text, topics)
    assert score.relevant
    nss = next(m for m in score.matches if m.term == "National Security Strategy")
    assert {o.owner: o.count for o in nss.owners} == {"JP": 1, "US": 1}
    assert nss.attribution() == "Japan (Japan) ×1, US (U.S.) ×1"


@pytest.mark.parametrize("title,text", [
    ("White House releases National Security Strategy",
     "The White House released its National Security Strategy on Thursday. The strategy puts the Western "
     "Hemisphere first and asks allies to raise defense spending."),
    ("米国防総省、国家防衛戦略を発表",
     "米国防総省は23日、国家防衛戦略を発表した。全同盟国に国防費をGDP比5%まで引き上げるよう求めた。"),
    ("Putin approves national security strategy",
     "Russian President Vladimir Putin approved an updated National Security Strategy on Saturday."),
])
def test_a_foreign_government_releasing_its_strategy_is_not_relevant(topics, title, text):
    score = top(title, text, topics)
    assert not score.relevant and score.score == 0
    assert score.matches and all(m.kind == "foreign" for m in score.matches)


# A foreign document named again without a marker of its own, next to Japan's reaction: the
# reaction's subject (日本政府は, "Japan's Defense Ministry") is another clause's, the document
# is still the one the story is about. Reviewers saw these US strategy stories as relevant.
REACTION = [
    ("米国防総省、国家防衛戦略を公表 同盟国に負担増要求",
     ("米国防総省は23日、新たな国家防衛戦略を公表した。本土防衛と西半球を最優先とし、同盟国に負担の増加を求めた。"
     "国家防衛戦略は、日本や韓国などの同盟国に国内総生産(GDP)比3.5%の国防費を求めている。日本政府は内容を精査している。"
     "防衛省幹部は「想定の範囲内だ」と話した。"), "国家防衛戦略"),
    ("Pentagon releases defense strategy",
     ("WASHINGTON (Kyodo) -- The Pentagon released its new National Defense Strategy on Friday, putting homeland "
     "defense first. The National Defense Strategy calls on allies including Japan to spend 3.5% of GDP on defense. "
     "Japan's Defense Ministry said it would study the document. A Japanese official said Tokyo would decide its "
     "defense spending on its own."), "National Defense Strategy"),
    ("Trump's security strategy asks allies to do more",
     ("The Trump administration released its National Security Strategy on Thursday. The strategy asks allies "
     "to share the burden. The National Security Strategy says allies in Asia must do more. Chief Cabinet "
     "Secretary Kihara said Japan would make its own decisions."), "National Security Strategy"),
    # Whose it is said only in the headline, as the lead goes straight to the content.
    ("米国防総省、新たな国家防衛戦略",
     "国家防衛戦略は、日本など同盟国に国防費の大幅な増額を求めた。国家防衛戦略の公表は4年ぶり。日本政府は内容を精査している。",
     "国家防衛戦略"),
]


@pytest.mark.parametrize("title,text,term", REACTION)
def test_a_foreign_document_named_again_beside_japans_reaction_stays_foreign(topics, title, text, term):
    assert {o for o, _ in owners(text, term, topics, title)} == {"US"}
    assert not top(title, text, topics).relevant


# Whose the document is may be said only in the headline: a foreign owner heading the headline
# (米国防総省、, "Pentagon unveils ...") makes the body's bare mentions its own, even in a sentence whose
# subject is Japan reacting (防衛省は…を分析している, 政府は…を精査する, "said it would study"); a Japanese
# headline naming Japan's (政府、…改定へ) keeps its body's bare mentions Japan's beside another country's
# demands (米国防総省の要求を踏まえ).
HEADLINE = [
    ("米国防総省、新たな国家防衛戦略を公表",
     "新たな国家防衛戦略は本土防衛を最優先とする。防衛省は国家防衛戦略の内容を分析している。",
     "国家防衛戦略", "US", False),
    ("米国防総省、新たな国家防衛戦略を公表",
     "国家防衛戦略は中国を最大の脅威と位置づけた。政府は国家防衛戦略を精査する。",
     "国家防衛戦略", "US", False),
    ("米国防総省、新戦略を公表",
     "国家防衛戦略は本土防衛を最優先とし、同盟国に国防費の増額を求めた。防衛省は内容を分析している。",
     "国家防衛戦略", "US", False),
    ("Pentagon unveils new defense strategy",
     ("The National Defense Strategy puts homeland defense first and asks allies to spend more. Japan's Defense "
      "Ministry said it would study the National Defense Strategy."), "National Defense Strategy", "US", False),
    ("政府、国家防衛戦略改定へ 米国の要求踏まえ", "国家防衛戦略は、米国防総省の要求を踏まえて見直す。",
     "国家防衛戦略", "JP", True),
    ("日本の国家防衛戦略、年内改定へ", "国家防衛戦略は防衛力整備の方針を示す。米国は同盟国に負担増を求めている。",
     "国家防衛戦略", "JP", True),
    ("Japan to revise National Defense Strategy",
     ("The National Defense Strategy will be revised by December, the government said. The Pentagon asks allies "
      "to do more."), "National Defense Strategy", "JP", True),
]


@pytest.mark.parametrize("title,text,term,owner,relevant", HEADLINE)
def test_the_owner_named_in_the_headline_owns_the_bodys_bare_mentions(topics, title, text, term, owner, relevant):
    assert {o for o, _ in owners(text, term, topics, title)} == {owner}
    assert top(title, text, topics).relevant is relevant


# "The government" in English is the story's: under a headline naming one foreign government only ("Pentagon unveils
# ...", "Britain publishes ..."), a wire story's "the government" is that government's once the body has named it,
# where it was read as Japan's (weak) and the Pentagon's, Russia's or the US strategy scored 9.5 to 10 as Japan's,
# relevant. Once Japan is named it is Japan's again, as it is under a headline naming none (a Japanese outlet's
# English edition) or naming Japan too.
FOREIGN_GOVERNMENT = [
    ("Pentagon unveils new defense strategy",
     ("The Pentagon released the National Defense Strategy on Friday. The document puts homeland defense first. The "
      "government will revise the National Defense Strategy again in four years."), "National Defense Strategy", "US",
     False),
    ("Russia updates national security strategy",
     ("Russia on Tuesday updated its National Security Strategy. The government revised the National Security "
      "Strategy to name NATO as the main threat."), "National Security Strategy", "RU", False),
    ("U.S. defense strategy puts homeland first",
     ("The U.S. Department of War on Friday published its new National Defense Strategy. The government adopted the "
      "National Defense Strategy after months of review, officials said."), "National Defense Strategy", "US", False),
    ("Britain publishes defence review",
     ("Britain on Monday published its Strategic Defence Review. The government said it would raise defence spending "
      "to 2.5% of GDP by 2027."), "defense spending", "UK", False),
    ("Government to revise security strategy by year-end",
     "The government will revise the National Security Strategy by the end of the year, officials said.",
     "National Security Strategy", "JP", True),
    ("US urges Japan to raise defense spending",
     ("The government will revise the National Security Strategy and raise defense spending to 2% of GDP, officials "
      "said."), "National Security Strategy", "JP", True),
    ("US defense strategy urges allies to spend more",
     ("The Pentagon's strategy calls on allies to spend more. Japan's government will revise the National Security "
      "Strategy by December. The government will also revise the National Defense Strategy."),
     "National Defense Strategy", "JP", True),
    # Before the body names the headline's government, "the government" is Japan's; a headline that responds heads
    # no story of the responder's own.
    ("Beijing warns of remilitarization",
     ("The government adopted the revised National Security Strategy on Friday. China's Foreign Ministry called it a "
      "threat to regional peace."), "National Security Strategy", "JP", True),
    ("China criticizes new security strategy",
     ("China's Foreign Ministry on Friday criticized the National Security Strategy the government adopted, calling "
      "it a threat."), "National Security Strategy", "JP", True),
    # Only a headline telling of the government's own document heads its story: one naming it otherwise heads a
    # Japanese outlet's story of Japan's revision too (each scored 0 as the other government's), and a sentence naming
    # Japan's speaker after "the government" is Japan's under any headline.
    ("North Korea fires ballistic missile",
     ("North Korea fired a ballistic missile on Monday. The government is revising the National Security Strategy to "
      "strengthen counterstrike capabilities, the Defense Ministry said."), "National Security Strategy", "JP", True),
    ("Trump urges allies to spend more",
     ("U.S. President Donald Trump has repeatedly urged allies to spend more on their own defense. The government on "
      "Tuesday approved revisions to the National Security Strategy, the National Defense Strategy and the Defense "
      "Buildup Program."), "National Security Strategy", "JP", True),
    ("China lodges protest over security documents",
     ("China on Saturday lodged a protest through diplomatic channels. The Cabinet on Friday adopted the revised "
      "National Security Strategy, which calls China's military buildup the greatest strategic challenge."),
     "National Security Strategy", "JP", True),
    ("US unveils defense strategy urging allies to do more",
     ("The Pentagon on Friday unveiled its National Defense Strategy. The government will revise the National "
      "Security Strategy and the Defense Buildup Program by year-end, Prime Minister Sanae Takaichi told reporters."),
     "National Security Strategy", "JP", True),
    # ... and so is a sentence naming a document only Japan's bears (a name enough on its own: the Defense Buildup
    # Program, the three security documents), speaker or not: Japanese outlets' round-ups under another government's
    # headline scored 0 (16 of 78 texts of Japan's revision in the second re-check of these rules).
    ("Britain publishes Strategic Defence Review",
     ("Britain on Monday published its Strategic Defence Review. The government plans to revise the National Security "
      "Strategy, the National Defense Strategy and the Defense Buildup Program by the end of the year."),
     "Defense Buildup Program", "JP", True),
    ("US revises nuclear posture",
     ("The United States revised its Nuclear Posture Review on Tuesday. The government, meanwhile, is working on the "
      "revision of the three security documents, which it plans to adopt by year-end."), "three security documents",
     "JP", True),
]


@pytest.mark.parametrize("title,text,term,owner,relevant", FOREIGN_GOVERNMENT)
def test_the_government_of_a_foreign_story_is_that_governments(topics, title, text, term, owner, relevant):
    assert {o for o, _ in owners(text, term, topics, title)} == {owner}
    assert top(title, text, topics).relevant is relevant


# A first mention in a sentence that only responds to the document (注視, 精査, 歓迎, "would study") is not the
# responder's: with no earlier mention, the next mention that names its maker says whose it is (the Pentagon's
# strategy scored 5 to 8.5 as Japan's, and later mentions deferring to the first took Japan's too). A participle after
# the document ("the ... Strategy released on Friday") is the document's making, not the responder's own act. A
# response with no maker named after it stays the responder's (自民党は…改定を歓迎).
RESPONDED_FIRST = [
    (None, ("Japan welcomed the National Defense Strategy. The National Defense Strategy, released by the Pentagon on "
            "Friday, calls on allies to spend more."), "National Defense Strategy", "US", False),
    (None, "防衛省は国家防衛戦略の内容を精査している。国家防衛戦略は米国防総省が23日に公表した。", "国家防衛戦略", "US", False),
    (None, ("木原官房長官は24日の記者会見で、国家防衛戦略を注視していると述べた。米国防総省が23日に公表した国家防衛戦略は、"
            "同盟国に国防費を国内総生産(GDP)比3.5%に引き上げるよう求めている。"), "国家防衛戦略", "US", False),
    (None, ("Chief Cabinet Secretary Minoru Kihara said Japan would study the National Defense Strategy closely. The "
            "National Defense Strategy, unveiled by the Pentagon on Friday, urges allies to spend 3.5% of GDP on "
            "defense. Kihara said the National Defense Strategy's call for allies to do more was consistent with "
            "Japan's own efforts."), "National Defense Strategy", "US", False),
    ("Japan welcomes Pentagon strategy", ("Tokyo welcomed the National Defense Strategy released on Friday. The "
                                          "National Defense Strategy puts homeland defense first."),
     "National Defense Strategy", "US", False),
    ("自民党、安保戦略の改定を歓迎", "自民党は国家安全保障戦略の改定を歓迎した。米国は日本に防衛費の増額を求めてきた。",
     "国家安全保障戦略", "JP", True),
    # A later mention in someone's quoted words on it (…について「…」と述べた) is the earlier one's, as "said the ...
    # would" is (it was the speaker's, Japan's: 6.0).
    (None, ("政府は23日、米国防総省が公表した新たな国家防衛戦略を歓迎した。木原官房長官は記者会見で、国家防衛戦略について"
            "「同盟の抑止力強化につながる」と述べた。"), "国家防衛戦略", "US", False),
]


@pytest.mark.parametrize("title,text,term,owner,relevant", RESPONDED_FIRST)
def test_a_first_mention_that_only_responds_is_not_the_responders(topics, title, text, term, owner, relevant):
    assert {o for o, _ in owners(text, term, topics, title)} == {owner}
    assert top(title, text, topics).relevant is relevant


# ... but not a next mention that names another government's document beside it: by a prefix ("The U.S. National
# Security Strategy ..."), in a comparison ("Unlike the ... Strategy the Pentagon released"), or after Japan's response
# to a revision (改定を歓迎), which is Japan's own. Each made Japan's revision the US's, and it scored 0.
RESPONDED_BESIDE = [
    # "its own" sets another's beside it (Japan's scored 0).
    ("Prime Minister Sanae Takaichi praised the National Defense Strategy released on Friday, saying it would "
     "fundamentally reinforce defense capabilities. The Pentagon unveiled its own National Defense Strategy in "
     "January.",
     "National Defense Strategy"),
    ("LDP lawmakers welcomed the revised National Security Strategy. The U.S. National Security Strategy has pressed "
     "allies to spend more.", "National Security Strategy"),
    ("LDP lawmakers welcomed the revised National Security Strategy on Friday. Unlike the National Security Strategy "
     "the Pentagon released last year, the document names China as the greatest strategic challenge.",
     "National Security Strategy"),
    ("自民党は国家安全保障戦略の改定を歓迎した。トランプ政権が昨年12月に公表した国家安全保障戦略は、同盟国に負担増を求めている。",
     "国家安全保障戦略"),
]


@pytest.mark.parametrize("text,term", RESPONDED_BESIDE)
def test_a_next_mention_of_another_governments_document_does_not_decide_the_first(topics, text, term):
    assert [o for o, _ in owners(text, term, topics)] == ["JP", "US"]
    assert top(None, text, topics).relevant


# A first mention that someone only speaks of, with no word of response (said the ... would, …について「…」と述べた),
# is the speaker's, as before the next mention decided: a Japanese official on Japan's strategy, followed by the US
# one, made both the US's, and Japan's revision scored 0. One responded to ("would study", 注視) is the next one's.
SPOKEN_FIRST = [
    ("Prime Minister Sanae Takaichi said the National Security Strategy would fundamentally reinforce defense "
     "capabilities. The National Security Strategy the Trump administration released in December urges allies to "
     "spend more.", "National Security Strategy"),
    ("小泉防衛相は記者会見で、国家防衛戦略について「反撃能力を抑止の柱とする」と述べた。米国防総省が1月に公表した国家防衛戦略は、"
     "同盟国に負担増を求めている。", "国家防衛戦略"),
]


@pytest.mark.parametrize("text,term", SPOKEN_FIRST)
def test_a_first_mention_only_spoken_of_is_the_speakers(topics, text, term):
    assert [o for o, _ in owners(text, term, topics)] == ["JP", "US"]
    assert top(None, text, topics).relevant


# Japan praising a document adopted or revised (no one named as its maker) after the Pentagon's was named praises its
# own: read as the US's, as a document released is, Japan's revision scored 0.
PRAISED_OWN = [
    (None, ("The Pentagon released its National Defense Strategy in January. Prime Minister Sanae Takaichi praised the "
            "National Defense Strategy approved by her Cabinet on Friday, saying it would fundamentally reinforce "
            "defense capabilities."), "National Defense Strategy"),
    ("Takaichi hails new defense strategy",
     ("Washington released its National Defense Strategy in January. Takaichi welcomed the National Defense Strategy "
      "updated on Friday, which for the first time names counterstrike capabilities."), "National Defense Strategy"),
    (None, "米国防総省は1月に国家防衛戦略を公表した。高市首相は、閣議決定された国家防衛戦略を評価した。", "国家防衛戦略"),
    (None, "米国防総省は1月に国家防衛戦略を公表した。高市首相は、16日に改定された国家防衛戦略を高く評価した。", "国家防衛戦略"),
]


@pytest.mark.parametrize("title,text,term", PRAISED_OWN)
def test_japan_praising_a_document_adopted_is_praising_its_own(topics, title, text, term):
    assert [o for o, _ in owners(text, term, topics, title)] == ["US", "JP"]
    assert top(title, text, topics).relevant


def test_words_quoted_on_a_document_that_make_it_are_the_speakers(topics):
    text = "米国防総省は1月に国家防衛戦略を公表した。高市首相は記者会見で、国家防衛戦略について「年内に改定する」と述べた。"
    assert owners(text, "国家防衛戦略", topics) == [("US", "sentence"), ("JP", "sentence")]


# Japan's prime minister welcoming a US document keeps it the US's, in English too: "the United States' new ..." (a
# bare possessive), "US defense strategy" in a headline, "the ... Strategy the Pentagon released" (no "that") were
# Japan's (4 to 4.5). A US official welcoming Japan's revised strategy leaves it Japan's, also when only the headline
# says whose (改定された…を歓迎 was the US's: its passive taken for the official's own revision).
WELCOMED_ACROSS = [
    (None, "高市首相は、米国が公表した国家防衛戦略を歓迎した。", "国家防衛戦略", "US", False),
    (None, "高市首相は、米国の国家安全保障戦略改定を歓迎した。", "国家安全保障戦略", "US", False),
    (None, "Prime Minister Sanae Takaichi welcomed the United States' new National Defense Strategy on Saturday.",
     "National Defense Strategy", "US", False),
    ("Takaichi welcomes US defense strategy",
     ("Prime Minister Sanae Takaichi on Saturday welcomed the National Defense Strategy, saying it reaffirmed the "
      "alliance."),
     "National Defense Strategy", "US", False),
    (None, "Prime Minister Sanae Takaichi welcomed the National Defense Strategy the Pentagon released on Friday.",
     "National Defense Strategy", "US", False),
    (None, "ルビオ米国務長官は、高市政権が改定した国家安全保障戦略を歓迎した。", "国家安全保障戦略", "JP", True),
    ("政府、安保3文書を改定", "ヘグセス米国防長官は、改定された国家安全保障戦略を歓迎した。", "国家安全保障戦略", "JP", True),
    (None, "U.S. Defense Secretary Pete Hegseth welcomed Japan's revised National Security Strategy.",
     "National Security Strategy", "JP", True),
    (None, "The State Department welcomed the revised National Security Strategy that Tokyo approved on Friday.",
     "National Security Strategy", "JP", True),
]


@pytest.mark.parametrize("title,text,term,owner,relevant", WELCOMED_ACROSS)
def test_a_leader_welcoming_anothers_document_is_not_its_owner(topics, title, text, term, owner, relevant):
    assert {o for o, _ in owners(text, term, topics, title)} == {owner}
    assert top(title, text, topics).relevant is relevant


def test_a_document_cited_as_the_basis_of_something_else_counts_as_context(topics):
    text = "政府は国家安全保障戦略を踏まえ、防衛装備移転三原則の運用指針を改正した。"
    score = top("装備品輸出ルールを改正", text, topics)
    assert not score.relevant
    assert [m.kind for m in score.matches] == ["cited"]


# --- Structure ----------------------------------------------------------------------------------

def structure(score):
    return next((m for m in score.matches if m.kind == "structure"), None)


@pytest.mark.parametrize("text", [
    "政府は安全保障関連の文書を年内に改定する方針だ。",
    "政府は外交・安全保障の基本方針を定めた戦略を前倒しで見直す。",
    "Japan will overhaul its core security policy papers by the end of the year.",
    "The Japanese government plans to update its key defense documents in December.",
    # English coverage calls the documents Japan's "security doctrine" or "defense doctrine" too.
    "Japan's Cabinet approved a sweeping overhaul of its defense doctrine on Friday.",
])
def test_a_document_noun_with_a_qualifier_and_a_revision_verb_is_matched(topics, text):
    found = structure(top(None, text, topics))
    assert found is not None and found.owners[0].owner == "JP"
    assert found.points == 5


# ... and a doctrine is a document's short name: Japan's overhauled "defense doctrine" with counterstrike capabilities
# scored 4.75, and another government's stays its own.
@pytest.mark.parametrize("title,text,relevant", [
    ("Japan unveils new defense doctrine",
     "Japan's Cabinet approved a sweeping overhaul of its defense doctrine on Friday that includes counterstrike "
     "capabilities.", True),
    ("Russia updates doctrine", "Russia revised its defense doctrine on Tuesday, the Kremlin said.", False),
])
def test_a_doctrine_is_a_documents_short_name(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# The qualifier of a relative clause defining the document ("安全保障政策の基本方針を定めた戦略", 11 characters
# from 安全保障 to 戦略; "防衛力の整備規模などを定めた計画", 12) was too far for the structure's 10 and these scored 0.
# Further, a qualifier followed by は is the sentence's topic, not the noun's: 防衛省は…採用計画を見直す is the
# ministry revising a recruitment plan, which passed at 6.
@pytest.mark.parametrize("text,relevant", [
    ("政府は安全保障政策の基本方針を定めた戦略を年内に改定する。", True),
    ("政府は防衛力の整備規模などを定めた計画を前倒しで見直す。", True),
    ("防衛省は自衛官の採用計画を見直す方針を固めた。", False),
    ("防衛省は隊員の処遇改善の計画を見直す。", False),
])
def test_a_qualifier_reaches_its_noun_across_a_relative_clause_but_not_across_the_topic(topics, text, relevant):
    score = top(None, text, topics)
    assert score.relevant is relevant
    assert (structure(score) is not None) is relevant


# A relative clause of 13 characters or more ("安全保障政策の基本理念と中長期の方針を定めた戦略": 18) is beyond the gap, and
# raising it lets in a plan of anything with 防衛 before it. A defining clause has a shape of its own: the
# qualifier's policy (安全保障政策の基本理念, 防衛力の整備規模), then a verb of defining right before the noun (定めた,
# 位置づけられる). A plan of something else (騒音対策の基準を定めた), security as a point of view (安全保障の観点から
# …対処方針を定めた) and another government's strategy in the same shape stay out.
@pytest.mark.parametrize("title,text,relevant", [
    ("政府、年内に改定へ", "政府は安全保障政策の基本理念と中長期の方針を定めた戦略を年内に改定する。", True),
    ("政府、前倒しで見直し", "政府は防衛力の整備規模や主要装備の数量などを定めた計画を前倒しで見直す。", True),
    ("首相、前倒し改定を指示", "高市首相は、外交・安全保障政策の最上位に位置づけられる戦略を前倒しで改定するよう指示した。", True),
    ("政府、年内改定の方針", "政府は安全保障の基本方針として2022年末に閣議決定した戦略を年内に改定する方針だ。", True),
    ("騒音対策を強化", "政府は防衛施設周辺の騒音対策の基準を定めた計画を改定した。", False),
    ("サイバー対処を強化", "政府は安全保障の観点からサイバー攻撃への対処方針を定めた戦略を改定した。", False),
    ("自衛官確保へ", "政府は防衛力を支える自衛官の処遇改善と人材確保に向けた計画を策定した。", False),
    ("事業承継を支援", "防衛装備庁は防衛産業の事業承継を支援する計画を策定した。", False),
    ("韓国、計画を見直し", "韓国政府は防衛力の整備規模や主要装備の数量などを定めた計画を見直した。", False),
    ("米、戦略を改定", "米政府は安全保障政策の基本理念と中長期の方針を定めた戦略を改定した。", False),
    ("中国、戦略を改定", "中国は安全保障政策の最上位に位置づけられる戦略を改定した。", False),
])
def test_a_qualifier_reaches_its_noun_across_a_longer_clause_that_defines_it(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# The same for whose it is: a relative clause's subject between the sentence's topic and the document (防衛省は、
# トランプ政権が4日に公表した新たな国家防衛戦略を分析している) is beyond what a prefix's fillers reach, and the story of the
# Pentagon's strategy passed at 6 as nobody's. The subject of a clause of making owns the document, however long
# the clause; the subject of a clause of demanding does not ("政府は、米国が見直しを求めた国家防衛戦略を改定する" was
# the US's: 0).
@pytest.mark.parametrize("text,owner,relevant", [
    ("防衛省は、トランプ政権が4日に公表した新たな国家防衛戦略を分析している。", "US", False),
    ("日本政府は、米国が先月公表した国家安全保障戦略の内容を精査している。", "US", False),
    ("防衛省は、トランプ政権が同盟国への負担増を求める内容で4日に公表した新たな国家防衛戦略を分析している。", "US", False),
    ("中国外務省は、日本が年末までに改定する方針の国家安全保障戦略に強く反発した。", "JP", True),
    ("中国外務省の報道官は、日本政府が来月にも閣議決定する予定の新たな国家安全保障戦略に不満を表明した。", "JP", True),
    ("政府は、米国が見直しを求めた国家防衛戦略を年内に改定する。", "JP", True),
])
def test_the_subject_of_a_relative_clause_of_making_owns_the_document(topics, text, owner, relevant):
    term = "国家防衛戦略" if "国家防衛戦略" in text else "国家安全保障戦略"
    assert {o for o, _ in owners(text, term, topics)} == {owner}
    assert top(None, text, topics).relevant is relevant


# ... and, the other way round, the government a clause of making that begins with the document describes: "中国は、国家
# 安全保障戦略を改定した日本に反発した" went to the subject reacting (0), as "中国外務省は2日、…を改定した日本政府を批判し
# た" did (0). The US's and Russia's stay theirs.
@pytest.mark.parametrize("title,text,owner,relevant", [
    ("中国、日本に反発", "中国は、国家安全保障戦略を改定した日本に反発した。防衛費の増額も批判した。", "JP", True),
    ("中国外務省、日本を批判", "中国外務省は2日、国家安全保障戦略を改定した日本政府を批判した。", "JP", True),
    ("イラン、日本を批判", "イランは2日、国家安全保障戦略を改定した日本を批判した。", "JP", True),
    ("米国防総省、同盟国に要求",
     "国家防衛戦略を公表した米国防総省は、同盟国に防衛費の増額を求めた。国家防衛戦略は本土防衛を最優先とした。", "US", False),
    ("ロシア、新戦略", "国家安全保障戦略を改定したロシアは、米国を最大の脅威と位置づけた。", "RU", False),
])
def test_the_government_a_clause_of_making_describes_owns_the_document(topics, title, text, owner, relevant):
    term = "国家防衛戦略" if "国家防衛戦略" in text else "国家安全保障戦略"
    assert {o for o, _ in owners(text, term, topics)} == {owner}
    assert top(title, text, topics).relevant is relevant


@pytest.mark.parametrize("text", [
    "The U.S. will update its defense strategy next year, the Pentagon said.",   # someone else's
    "The company will revise its information security strategy after the attack.",  # not a government's
    "政府は食料安全保障の基本計画を閣議決定した。",                                   # another kind of security
    "三菱重工業は防衛事業の中期経営計画を見直した。",                                 # a company's plan
    "政府は安全保障関連の文書を公表した。",                                           # no revision verb
    # An adjective of a verb of revision is none (reviewable 5.3 as the structure before audit12).
    "The Defense Ministry said its defense plan for remote islands relies on renewable energy.",
    "The government said its security plan was reviewable by the Diet.",
    # Renew is no revision verb: its other senses beside a security plan are many (5 each as the structure while it
    # was one, "its passport security program" 15.8 with its headline: a re-check of audit12).
    "Japan's security documents drew renewed attention after China's drills near Taiwan.",
    "The drills sparked renewed calls in Tokyo to strengthen Japan's defense documents.",
    "Japan renewed its passport security program at airports, the Immigration Services Agency said.",
    "Prime Minister Takaichi renewed her vow to bolster Japan's defense under the security strategy adopted in 2022.",
    "The Self-Defense Forces renewed the lease for a training ground in Hokkaido under a defense program.",
    "The incident renewed the debate in Japan over its security plans for the Senkaku Islands.",
    "Japan and the United States renewed their agreement on host-nation support under the security plan.",
    "The Defense Ministry unveiled a defense facility renewal plan for its bases in Okinawa.",
])
def test_lookalikes_are_not_structure_matches(topics, text):
    assert structure(top(None, text, topics)) is None


# A national team's "defense strategy" and the security clearance system read as Japan revising a
# security document: a reviewer got a rugby preview and an economic-security bill in the queue.
@pytest.mark.parametrize("title,text", [
    ("Jones to rework Japan's defense ahead of England test",
     ("Japan head coach Eddie Jones said the Brave Blossoms would revise their defense strategy before Saturday's "
     "test against England. Japan conceded five tries last week.")),
    ("Japan's volleyball team reworks its defense",
     "Japan's women's volleyball team will revise its defense plan before the Olympic qualifier, the coach said."),
    ("Japan revises security clearance law plan",
     "Japan adopted a plan for security clearance rules covering defense information."),
])
def test_a_teams_defense_and_security_clearance_are_not_the_documents(topics, title, text):
    assert not top(title, text, topics).relevant


# Security of one field has strategies and plans of its own (the cyber security strategy, the Basic Plan on Ocean
# Policy, a space security plan), and so does the defense industry: each read as Japan revising a security document
# and passed at 7.75-17 with a headline naming it, as food and economic security did before they were excluded.
@pytest.mark.parametrize("title,text", [
    ("サイバー安保戦略を閣議決定", "政府はサイバー安全保障に関する新たな戦略を閣議決定した。"),
    ("海洋安保の計画を閣議決定", "政府は海洋安全保障の強化を柱とする海洋基本計画を閣議決定した。"),
    ("宇宙安保の計画を改定", "政府は宇宙安全保障の強化に向けた計画を改定した。"),
    ("Japan adopts new cyber defense strategy",
     "Japan's government adopted a new cyber defense strategy on Friday to counter attacks on infrastructure."),
    ("Japan revises maritime security plan", "Japan's government revised its maritime security plan on Tuesday."),
    ("政府、防衛産業支援計画を策定", "政府は防衛産業の基盤強化に向けた計画を策定した。"),
    ("Japan adopts defense industry support plan",
     "Japan's government adopted a plan to support the defense industry, including state funding for factories."),
])
def test_a_fields_security_and_the_defense_industrys_plans_are_not_the_documents(topics, title, text):
    assert not top(title, text, topics).relevant


# A field's own plan or rules with defense or security before them read as Japan revising a security document and
# passed at 6.5-17.5 (audit12): the export rules' guidelines, Official Security Assistance, the Japan-US defense
# cooperation guidelines, the ministry's technology and space guidelines, a bilateral action plan, a plan under a basic
# law (宇宙基本計画) and the ODA charter (開発協力大綱).
@pytest.mark.parametrize("title,text", [
    ("Cabinet approves revised defense equipment transfer guidelines",
     "The Cabinet approved revised defense equipment transfer guidelines, allowing exports of missiles."),
    ("Japan to revise Official Security Assistance program",
     "Japan will revise its Official Security Assistance program to add two recipients."),
    ("Japan, U.S. to review defense cooperation guidelines",
     "Japan and the United States agreed to review their defense cooperation guidelines."),
    ("Ministry revises defense technology guidelines",
     "The Defense Ministry revised its defense technology guidelines."),
    ("Japan drafts space domain defense guidelines", "Japan drafted its first space domain defense guidelines."),
    ("Japan, Australia update defense cooperation action plan",
     "Japan and Australia updated their defense cooperation action plan."),
    ("宇宙基本計画を改定", "政府は安全保障を重視した宇宙基本計画の改定を決めた。"),
    ("日豪、防衛協力の行動計画を改定", "日豪両政府は防衛協力の行動計画を改定した。"),
    ("開発協力大綱を改定へ", "政府は安全保障の観点から開発協力大綱を改定する。"),
])
def test_a_fields_own_plan_with_defense_or_security_before_it_is_not_the_documents(topics, title, text):
    assert not top(title, text, topics).relevant


# A capability the documents created, named as its own law's name, is that law's story, which the held-out convention
# labels 0 (ho-en-001): "Japan's active cyber defense law takes effect", 防衛生産基盤強化法の基本方針を改定 passed at
# 10-11 (audit12). The capability's own story, or the law beside the documents' revision, is still the topic's.
@pytest.mark.parametrize("title,text,relevant", [
    ("Active cyber defense bill clears lower house", "The bill to introduce active cyber defense passed the lower "
                                                      "house on Tuesday.", False),
    ("防衛生産基盤強化法に基づき支援 防衛省", "防衛省は防衛生産基盤強化法に基づき、部品メーカー2社への支援を決めた。", False),
    ("防衛生産基盤の強化へ 部品メーカーの撤退相次ぐ", "防衛省は防衛生産基盤を強化するため、部品メーカーへの支援を拡充する。", True),
    ("能動的サイバー防御法が成立 安保3文書の改定に反映へ", "", True),
    # Only a capability with a law of its own (law = true): a bill of the documents' policies is their step (4.0, 3.0
    # as any term before 法案 or "bill" counted as cited: a re-check).
    ("反撃能力法案を提出へ 政府", "政府は反撃能力の行使に関する法案を国会に提出する方針を固めた。", True),
    ("防衛力強化法案が審議入り", "防衛力強化に向けた法案が衆院で審議入りした。", True),
    ("Counterstrike capability bill submitted to Diet", "The government submitted a bill on the use of counterstrike "
                                                         "capability.", True),
    ("Diet passes defense spending bill", "Japan's parliament passed a bill to secure funding for a defense buildup "
                                          "over five years.", True),
])
def test_a_capability_named_as_its_own_laws_name_is_the_laws_story(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# ... while the documents named beside a field's words stay the documents: the Japanese 防衛協力 is left out of the
# exclusions, as it would reach across a clause to the document's own name.
@pytest.mark.parametrize("title,text", [
    ("", "政府は同志国との防衛協力を盛り込む防衛戦略を年内に改定する。"),
    ("Japan to revise defense strategy",
     "Japan will revise its defense strategy to expand defense cooperation with the Philippines."),
    ("", "Japan will revise its security strategy and its defense equipment transfer guidelines this year."),
    # The field's plan another clause's object: an exclusion is looked for in the phrase's own clause, as the phrase
    # itself (both scored 0: a re-check of audit12).
    ("", "政府は日豪防衛協力の行動計画を踏まえ、安全保障関連の文書を年内に改定する方針だ。"),
    ("", "政府は宇宙基本計画の改定に合わせ、安保関連文書も年内に見直す。"),
])
def test_the_documents_beside_a_fields_words_are_still_the_documents(topics, title, text):
    assert top(title, text, topics).relevant


# The defense white paper reports every year on what the documents set: a white-paper story naming counterstrike and
# the buildup program it follows passed at 6.5 (audit12); a word of another subject now. The revision named beside the
# white paper is still the revision, however it is phrased: the white paper telling of it subtracts nothing beside the
# structure (4.5 where the sentence alone scores 6.5: audit13).
@pytest.mark.parametrize("title,text,relevant", [
    ("防衛白書、中国を「最大の戦略的挑戦」", "防衛相は26年版防衛白書を閣議で報告した。防衛力整備計画に沿って進む反撃能力の整備状況も"
     "紹介した。", False),
    ("安保3文書を年内改定へ", "政府は年内に安保3文書を改定する。防衛白書にも改定の方向性を記す。", True),
    ("Japan's defense white paper flags counterstrike as revision looms",
     "Japan's defense white paper said the government would revise the National Security Strategy by year-end.", True),
    ("", "26年版防衛白書は、政府が年内に安全保障戦略を改定する方針を記した。", True),
    ("", "防衛白書は、政府が年内に国家防衛戦略を見直す方針を明記した。", True),
])
def test_the_defense_white_paper_is_another_subject(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


@pytest.mark.parametrize("title,text", [
    ("Japan to review security strategy",
     "TOKYO (Kyodo) -- The government will begin revising the National Security Strategy next month. "
     "The revision is expected by December, sources said."),
    ("安保戦略の改定、来月着手", "政府は国家安全保障戦略の改定作業に来月着手する。"),
    ("国家防衛戦略、年内改定へ", "防衛省は国家防衛戦略を年内に改定する方針を固めた。"),
])
def test_short_wire_stories_naming_the_document_and_its_revision_are_relevant(topics, title, text):
    assert top(title, text, topics).relevant


# The set named with の or 3つの (NHK's style), or as 戦略3文書, "three key national security documents", on
# a step of the revision that has no revision verb (the ruling parties approve the draft, a panel meets):
# these were scored 0.
@pytest.mark.parametrize("title,text", [
    ("安全保障関連の3文書 与党が了承", "自民、公明両党は安全保障関連の3文書の政府案を了承した。"),
    ("安保関連の3文書、有識者会議が初会合", "安保関連の3文書をめぐる有識者会議が初会合を開いた。"),
    ("安全保障関連の3つの文書 与党が了承", "自民党と公明党は、安全保障関連の3つの文書の政府案を了承しました。"),
    ("戦略3文書、自民が提言", "自民党は戦略3文書に関する提言をまとめ、首相に提出した。"),
    ("LDP panel meets on three key national security documents",
     "The LDP's security panel met on Tuesday to discuss Japan's three key national security documents."),
    ("Panel holds first meeting", "An expert panel on Japan's three key defense documents held its first meeting."),
    ("Takaichi receives LDP proposals",
     "Prime Minister Takaichi received the LDP's proposals on the three main security documents."),
    # Chinese media translate 安保三文件 word for word: "security three documents" (5.95).
    ("China slams Japan's 'security three documents'",
     "Japan plans to revise the \"security three documents\" by the end of the year, Chinese state media said."),
    ("Beijing warns Tokyo", "Beijing warned Tokyo over its security three documents on Tuesday."),
    # The papers' 防衛関連費 and 国内総生産(GDP)比で2% (5 and 3.5), the Japan News' "renew three core security documents"
    # (0: audit12).
    ("防衛関連費、GDP比2%到達", ""),
    ("", "政府は防衛関連経費を積み増し、国内総生産(GDP)比で2%に達する見通しとなった。防衛力強化を急ぐ。"),
    ("Japan to renew three core security documents", ""),
    ("Panel meets", "An expert panel on the three core security documents met on Tuesday."),
    ("LDP submits proposals on strike-back capability",
     ("The LDP submitted proposals to Prime Minister Takaichi calling for Japan to maintain its strike-back "
     "capability and expand it.")),
])
def test_the_set_and_its_policies_in_other_spellings_are_relevant(topics, title, text):
    assert top(title, text, topics).relevant


# The opposition criticising the revision speaks of Japan's documents as the ruling parties do: with no marker of its
# own, the party left the revision unattributed, which the structure does not count (0, and 5.3 with a policy term).
@pytest.mark.parametrize("title,text", [
    ("立憲民主党、安保戦略の見直しに反対", "立憲民主党は安保戦略の見直しに反対する方針を決めた。"),
    ("Opposition slams counterstrike plan",
     ("The Constitutional Democratic Party criticized the plan to acquire counterstrike capabilities, saying the "
      "revised security strategy would undermine the exclusively defense-oriented policy.")),
    ("国民民主党、防衛戦略の改定で提言", "国民民主党は国家防衛戦略の改定に向けた提言をまとめた。"),
])
def test_the_opposition_on_the_revision_is_on_japans_documents(topics, title, text):
    assert top(title, text, topics).relevant


# 有識者会議 is Japan's panel only when no one else's is named with it: "韓国政府の有識者会議は、国家安全保障戦略の
# 見直しを議論した" went to Japan (the panel the subject, 10.75), like 政府 in 米政府.
@pytest.mark.parametrize("title,text,owner,relevant", [
    ("有識者会議、安保戦略を議論", "韓国政府の有識者会議は、国家安全保障戦略の見直しを議論した。", "KR", False),
    ("有識者会議が初会合", "政府の有識者会議は21日、国家安全保障戦略の見直しに向けた議論を始めた。", "JP", True),
    ("有識者会議が初会合", "有識者会議は21日、国家安全保障戦略の見直しに向けた議論を始めた。", "JP", True),
])
def test_a_panel_is_whose_government_it_is_named_with(topics, title, text, owner, relevant):
    assert {o for o, _ in owners(text, "国家安全保障戦略", topics, title)} == {owner}
    assert top(title, text, topics).relevant is relevant


# A headline naming the body's document in short ("Japan's new security strategy", "security documents", 安保
# 関連文書) says what the article is about as much as the name would: a panel meeting on the documents, or a
# neighbour welcoming Japan's, whose body names the document once and has no revision verb beside it, scored
# 4.45-5.95. Only Japan's document, named in a headline that is not someone else's, counts so: a Korean panel on
# Seoul's strategy stays out.
@pytest.mark.parametrize("title,text,relevant", [
    ("Taiwan welcomes Japan's new security strategy",
     ("Taiwan's foreign ministry said it welcomed the new National Security Strategy released by Tokyo on Friday, "
      "which describes China's military build-up as the greatest strategic challenge."), True),
    ("Panel on security documents meets",
     ("An expert panel on the National Security Strategy met for the first time on Tuesday. The government plans "
      "to revise the strategy and two related documents by the end of the year, Defense Minister Koizumi said."),
     True),
    ("安保関連文書の有識者会議が初会合",
     "有識者会議が21日、首相官邸で初会合を開いた。委員からは国家安全保障戦略に宇宙やサイバーの視点を加えるべきだとの意見が出た。",
     True),
    ("安保文書巡る有識者会議、初会合", "国家安全保障戦略など3つの文書について議論する政府の有識者会議が21日、初会合を開いた。", True),
    ("Seoul's security strategy panel meets",
     ("South Korea's expert panel on the National Security Strategy met for the first time on Tuesday. Seoul plans "
      "to revise the strategy by year-end."), False),
    ("Panel on security strategy meets",
     "A panel advising President Lee Jae-myung on South Korea's new National Security Strategy met on Tuesday.", False),
    ("米新戦略、有識者が議論", "トランプ政権の国家安全保障戦略について、日本の有識者が議論した。", False),
    ("Japan, Philippines deepen ties under security strategy",
     ("Japan and the Philippines agreed to deepen defense ties under Japan's National Security Strategy, the "
      "foreign ministers said."), False),
])
def test_a_headline_naming_the_bodys_document_in_short_counts_as_naming_it(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# The set named by its number alone, with the revision's timing between (前倒し, 年内, 再), as headlines
# and second mentions name it: none of the set's spellings matched and these scored 0.
@pytest.mark.parametrize("title,text", [
    ("3文書の前倒し改定、年内に", "政府は3文書の前倒し改定を年内に行う方針だ。"),
    ("3文書の年内改定を指示", "高市首相は3文書の年内改定を指示した。"),
    ("3文書の再改定へ", "政府は3文書の再改定に向けた検討に入った。"),
    ("3文書、前倒しで改定", "政府は3文書を前倒しで改定する方針を固めた。"),
    ("首相、前倒しを指示", "高市首相は、三文書を前倒しで見直すよう関係閣僚に指示した。"),
    ("首相、年内改定を指示", "高市首相は 3 文書の年内改定を指示した。"),      # a site spacing its digits
])
def test_the_set_named_by_its_number_with_a_revision_is_relevant(topics, title, text):
    assert top(title, text, topics).relevant


# A neighbour protesting at what the documents say names the set with Japan's name before it and no revision verb
# (日本の3文書に…記述されていることに抗議): the set's number alone needed a verb, and these scored 0. Japan's name right
# before it says whose set it is, as 安保 or 安全保障関連 do; someone else's 3文書, or nobody's, still needs more.
@pytest.mark.parametrize("title,text,relevant", [
    ("韓国、日本の3文書に抗議", "韓国外務省は、日本の3文書に竹島の領有権主張が記述されていることに抗議した。", True),
    ("中国、日本の三文書を批判", "中国外務省の報道官は、日本の三文書は中国を中傷するものだと批判した。", True),
    ("韓国の3文書", "韓国政府の3文書は北朝鮮を最大の脅威と位置づけている。", False),
    ("診療報酬の3文書", "厚生労働省の3文書は診療報酬の算定方法を示している。", False),
])
def test_the_set_by_its_number_with_japans_name_before_it_needs_no_verb(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


@pytest.mark.parametrize("title,text", [
    ("診療報酬、3文書を改定", "厚生労働省は診療報酬の算定に関する3文書を改定した。"),   # nobody's documents of security
    ("韓国、国防3文書を改定", "韓国国防省は国防改革に関する3文書を改定した。"),          # someone else's
    ("3文書を公表", "政府は日中首脳会談の成果をまとめた3文書を公表した。"),              # no revision
])
def test_a_set_of_three_other_documents_is_not_the_set(topics, title, text):
    assert not top(title, text, topics).relevant


# A document named by when it was made ("which adopted its ... Strategy in December 2022", "2013年に初めて
# 策定された") is the background of another story (a troop pact, an obituary), not its revision; the
# reviewer got them at 9-11 points. Beside a revision of its own, a dated mention still counts.
@pytest.mark.parametrize("title,text,relevant", [
    ("Japan, Philippines sign troop pact",
     ("Japan and the Philippines signed a reciprocal access agreement on Monday. Japan, which adopted its current "
     "National Security Strategy in December 2022, has deepened ties with Manila. The pact takes effect in "
     "September."), False),
    ("日比、円滑化協定に署名", ("日本とフィリピンは円滑化協定に署名した。日本は2022年12月に改定した国家安全保障戦略で"
     "同志国との連携をうたっている。協定は9月に発効する。"), False),
    ("谷内正太郎氏死去", ("初代国家安全保障局長の谷内正太郎氏が死去した。85歳だった。2013年に初めて策定された国家安全保障戦略の"
     "取りまとめを主導した。"), False),
    ("Former security adviser dies", ("Shotaro Yachi, who drafted Japan's first National Security Strategy in 2013, "
     "died on Monday. He was 85."), False),
    ("安保3文書、年内改定へ", "政府は2022年に策定した国家安全保障戦略などを年内に改定する方針を固めた。", True),
    ("Japan to revise its strategy", ("Japan will revise the National Security Strategy it adopted in December 2022, "
     "officials said."), True),
    ("Japan adopts new security strategy", ("Japan's Cabinet on Friday adopted a new National Security Strategy, "
     "the first revision since 2013."), True),
    ("政府、国家安保戦略を閣議決定", "政府は16日、国家安全保障戦略を閣議決定した。2013年に初めて策定して以来、初の改定となる。",
     True),
    ("Japan to revise security papers in 2026", "Japan plans to revise its national security strategy in 2026.",
     True),
    ("Security strategy to be revised", "Japan's National Security Strategy is expected to be revised in 2026.",
     True),
    ("国家安保戦略、26年に改定へ", "政府は国家安全保障戦略を26年に改定の方向で調整している。", True),
    ("国家防衛戦略を見直し", "防衛省は2022年改定の国家防衛戦略の見直しに着手した。", True),
    # The year before the document the verb takes (audit6), a year's end, a し、 whose sentence ends in what has
    # gone on since; a し、 of a plan, and a year-end to come, stay news.
    ("日比円滑化協定が発効", "協定が発効した。日本は22年12月に国家安全保障戦略を策定し、同志国との協力を進めている。",
     False),
    ("日米共同演習始まる", "共同演習が始まった。22年末に改定した国家防衛戦略に沿い、統合運用を強化する。", False),
    ("国家防衛戦略、26年に改定", "政府は26年12月に国家防衛戦略を改定し、27年度から新たな計画で運用する。", True),
    ("国家防衛戦略、年末に改定", "政府は26年末に国家防衛戦略を改定する方針だ。", True),
    # して以降 is して以来's other word, and a してから whose sentence ends in what went on since is as past as a し、: the
    # white paper on the years since 2022 passed on them (6.5, a re-check of audit13); a plan's してから is news.
    ("26年版防衛白書を閣議報告", "白書は、政府が22年に安保戦略を改定して以降の歩みを紹介した。", False),
    ("26年版防衛白書を閣議報告", "白書は、政府が2022年に安全保障戦略を改定してからの3年間の取り組みをまとめた。", False),
    ("", "政府は26年末に国家防衛戦略を改定してから、新たな計画に基づく予算を組む。", True),
])
def test_a_document_named_by_when_it_was_made_is_background(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# Taiwan's defense report noting, among much else, Japan's plan for 2% of GDP scored exactly the threshold
# (防衛費 3 + GDP比2% 3 = 6) and passed; in English the same report passed at 6.75. It is Taiwan's report, not
# Japan's revision: a policy named as one more item a text "also touches on" (にも触れた, にも言及,
# "which mentions", "also notes") counts as context, like a document cited in passing. Japan's own plan, in a
# story naming Taiwan, stays relevant.
@pytest.mark.parametrize("title,text,relevant", [
    ("台湾、国防報告書を公表",
     "台湾国防部は2年に1度の国防報告書を公表した。日本が防衛費をGDP比2%に増やす方針にも触れた。", False),
    ("Taiwan releases defense report",
     ("Taiwan's defense ministry released its biennial National Defense Report, which mentions Japan's defense "
      "buildup and its plan to raise defense spending to 2% of GDP."), False),
    ("防衛費、GDP比2%へ", "政府は防衛費をGDP比2%に増やす方針を決めた。", True),
    ("台湾有事にらみ防衛力強化", "政府は台湾有事を念頭に防衛力強化を急ぐ。防衛費は2027年度にGDP比2%に達する。", True),
])
def test_japans_policy_noted_in_passing_in_taiwans_report_is_not_relevant(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# US pressure on Japan amid its revision: a clause ending in 中、 is a clause of its own, and the subject of the main
# clause after it (米国防総省は) is not the one revising. The revision there, named with no owner, is that of the
# government the main clause presses (日本に…求めた); these scored 0 as the Pentagon's. The US's own strategy stays
# out in the same shape: its strategy under way while it presses allies, or revised "while Japan revises its
# documents" (Japan's revision the background of a US story, which passed at 13.5) unless it presses Japan.
@pytest.mark.parametrize("title,text,relevant", [
    ("トランプ政権、日本に防衛費増額を要求",
     "安保3文書の改定に向けた議論が進む中、米国防総省は日本に防衛費をGDP比3.5%に引き上げるよう求めた。", True),
    ("トランプ政権、日本に防衛費増額を要求",
     "国家安全保障戦略の改定作業が進む中、米国防総省は日本政府に防衛費をGDP比3.5%に引き上げるよう要求した。", True),
    ("米、日本に防衛費増額迫る",
     "年末の国家安全保障戦略改定を控える中、トランプ政権は日本側に防衛費の大幅な積み増しを迫っている。", True),
    ("トランプ政権、日本に防衛費増額を要求",
     "日本政府が安保3文書の改定を進める中、米国防総省は日本に防衛費をGDP比3.5%に引き上げるよう求めた。", True),
    ("トランプ政権、日本に防衛費増額を要求",
     "米国防総省は、日本政府が年末に向けて国家安全保障戦略の改定作業を進める中、防衛費の増額を求めた。", True),
    ("米国防総省、新戦略で日本に増額要求",
     "日本政府が安保3文書の改定を進める中、米国防総省は新たな国家防衛戦略で日本に防衛費の大幅な増額を求めた。", True),
    ("米国防総省、同盟国に国防費増額を要求",
     "新たな国家防衛戦略の策定作業が進む中、米国防総省は同盟国に国防費をGDP比3.5%に引き上げるよう求めた。", False),
    ("米国防総省、新戦略を公表",
     "国家防衛戦略の見直しが進む中、米国防総省は日本に国防費の増額を求める方針を示した。", False),
    # 国家防衛戦略 is the name of the US's strategy as well as Japan's. With no headline saying whose, the text decides:
    # a bare 国家防衛戦略 in Japanese news is Japan's (the US one is 米国の…, 米国家防衛戦略), and the main clause presses
    # Japan, so the revision under way is the one pressed: in. A headline naming the Pentagon's new strategy makes it
    # the Pentagon's (above); named Japan's in the 中 clause (政府が, 日本政府が) it is Japan's under any headline; and a
    # demand of "Japan and other allies" (日本など同盟国に) presses no one government: the Pentagon's own, out.
    (None, "国家防衛戦略の見直しが進む中、米国防総省は日本に防衛費の増額を求めた。", True),
    ("米国防総省、新戦略を公表", "国家防衛戦略の見直しが進む中、米国防総省は日本に防衛費の増額を求めた。", False),
    (None, "政府が国家防衛戦略の見直しを進める中、米国防総省は日本に防衛費の増額を求めた。", True),
    ("米国防総省、新戦略を公表", "日本政府が国家防衛戦略の見直しを進める中、米国防総省は日本に防衛費の増額を求めた。", True),
    (None, "国家防衛戦略の見直しが進む中、米国防総省は日本など同盟国に国防費の増額を求めた。", False),
    ("米国防総省、国家防衛戦略を改定", "日本が安保3文書の改定を進める中、米国防総省も国家防衛戦略を改定した。", False),
    ("トランプ政権、国家防衛戦略を公表",
     ("日本政府が防衛費の増額を検討する中、米国防総省は新たな国家防衛戦略を公表した。同盟国にGDP比3.5%の国防費を"
      "求めた。"), False),
])
def test_a_revision_amid_which_another_government_presses_japan_is_japans(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# The other way round, the 中 clause's subject is not the main clause's: "ロシアがウクライナ侵攻を続ける中、政府は国家安全
# 保障戦略を改定した" was Russia's strategy (0 for the text alone), and Japan's revision as the background of Russia's or
# China's new strategy passed (6.25, 14.25).
@pytest.mark.parametrize("title,text,relevant", [
    ("政府、戦略を改定", "ロシアがウクライナ侵攻を続ける中、政府は国家安全保障戦略を改定した。", True),
    ("中国の軍拡にらみ戦略見直しへ", "中国が軍事力の増強を急ぐ中、政府は年末までに国家防衛戦略を見直す方針だ。", True),
    ("中国、安保戦略を改定", "日本が防衛力の強化を進める中、中国政府は国家安全保障戦略を改定した。", False),
    ("ロシア、安保戦略を改定", "日本が安保3文書の改定を進める中、ロシアは国家安全保障戦略を改定した。", False),
])
def test_the_main_clause_after_a_clause_ending_in_naka_is_its_own_subjects(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# "as" before a government opens a clause whose subject it is ("comes as Japan prepares to revise its own ..."), and
# "its" there is that government's: read as an object ("with Japan", "to Japan"), Japan was passed over for the
# Pentagon before it, and Japan's revision scored 0 as the US's. "such as Japan" is still an object.
@pytest.mark.parametrize("title,text,term,owner,relevant", [
    ("Pentagon strategy comes as Japan rewrites its own",
     ("The Pentagon's new defense strategy comes as Japan prepares to revise its own National Defense Strategy by the "
      "end of the year."), "National Defense Strategy", ["JP"], True),
    ("Seoul unveils strategy",
     ("South Korea released its National Security Strategy on Monday, even as Tokyo began revising its National "
      "Security Strategy."), "National Security Strategy", ["KR", "JP"], True),
    ("Pentagon releases strategy",
     ("The Pentagon released its National Defense Strategy, which asks allies such as Japan to spend more on their "
      "own defense."), "National Defense Strategy", ["US"], False),
])
def test_as_before_a_government_opens_its_clause(topics, title, text, term, owner, relevant):
    assert [o for o, _ in owners(text, term, topics, title)] == owner
    assert top(title, text, topics).relevant is relevant


# What a defense-policy analyst expects of the queue, in both languages: the policies the documents set and
# the steps of their revision in, others' documents, reforms and teams out.
ANALYST = [
    ("防衛費、GDP比2%前倒し達成へ",
     "高市首相は、防衛費と関連経費を合わせてGDP比2%とする目標を今年度中に前倒しで達成すると表明した。", True),
    # "spending 2% of GDP on defense" named only 2% of GDP (3.75).
    ("Japan to hit 2% defense goal early",
     ("Japan will reach its goal of spending 2% of GDP on defense this fiscal year, two years ahead of schedule, "
      "Prime Minister Takaichi said."), True),
    ("防衛力整備計画の見直し 弾薬確保を重視",
     "防衛省は防衛力整備計画の見直しで、弾薬の確保や無人機の導入を重視する方針だ。", True),
    ("反撃能力の保有明記を 自民が提言",
     "自民党の安全保障調査会は、反撃能力の保有と運用の明確化を求める提言をまとめた。", True),
    ("3文書改定へ有識者会議",
     "政府は安保関連3文書の改定に向けた有識者会議の初会合を首相官邸で開いた。", True),
    ("Japan weighs bigger defense budget",
     "Japan is considering a larger defense budget as it rewrites its three key security documents this year.", True),
    # Wire services named the 2022 documents by what they buy: Japan's "biggest military build-up since World War
    # Two" (0: only "defense buildup" was a term). Someone else's build-up stays theirs.
    ("Japan unveils $320 billion military buildup",
     ("Japan on Friday unveiled its biggest military buildup since World War Two, a five-year plan that will buy "
      "missiles able to strike China and prepare it for a sustained conflict."), True),
    ("China's military buildup alarms Tokyo",
     ("China's rapid military buildup near Taiwan alarmed officials in Tokyo. The military buildup includes new "
      "carriers."), False),
    ("Satellite images show military build-up",
     ("North Korea's military build-up near the border continued, satellite images showed. The military build-up "
      "includes long-range artillery."), False),
    # The financing in English: "defense tax hikes" (plural: the singular's end touched the s) and "taxes to fund
    # defense" named no term (0, 3.75). Britain's taxes for defence stay Britain's.
    ("Ruling parties agree on defense tax hikes",
     "Japan's ruling parties agreed on Thursday to start the increases in 2027.", True),
    ("Japan to raise taxes to fund defense",
     ("Japan will start raising corporate, income and tobacco taxes in April 2027 to fund its defense buildup, the "
      "ruling parties decided."), True),
    ("Tokyo delays tax increase for defense",
     "The government put off deciding when to raise income tax to finance its defense buildup.", True),
    ("UK to raise taxes to fund defence",
     "Britain will raise taxes to fund defence spending, the Chancellor said.", False),
    ("中国、国防白書を公表",
     "中国国務院は国防白書を発表し、国防費の増額と軍の近代化を強調した。白書は日本の防衛力強化を批判した。",
     False),
    ("Pentagon releases 2026 NDS",
     ("The Pentagon released its 2026 National Defense Strategy on Friday, prioritizing homeland defense. The "
      "strategy calls on allies to spend more."), False),
    ("韓国、国防改革計画を見直し",
     "韓国国防省は国防改革計画を見直し、兵力削減に対応した新たな国防戦略を策定すると発表した。", False),
    ("巨人、守備戦略を見直し",
     "巨人は守備の戦略を見直し、内野の守備位置を変更する。阿部監督は「守りから立て直す」と話した。", False),
    # Other governments that were no actors: their 防衛費をGDP比2% counted as Japan's (6, and カナダの…首相 lent
    # 首相 to Japan: 12).
    ("ポーランド、国防費GDP比4%超",
     "ポーランドは防衛費をGDP比2%から4%超に引き上げた。", False),
    ("カナダ、GDP比2%達成へ",
     "カナダのカーニー首相は、防衛費をGDP比2%に引き上げる目標を今年度中に達成すると表明した。", False),
    ("Canada to hit 2% target",
     "Canada will raise defence spending to 2 per cent of GDP this year, Prime Minister Mark Carney said.", False),
    ("Poland already spends more", "Poland already spends more than 2% of GDP on defense.", False),
    # Any other government, in one actor: Brazil's "2% of GDP on defense" counted as Japan's (7.0).
    ("Brazil raises military budget",
     ("Brazil's government said it would spend 2% of GDP on defense by 2030, the defense minister told "
      "reporters."), False),
    ("パキスタン、国防費を増額", "パキスタン政府は防衛費をGDP比2%超に引き上げる計画を発表した。", False),
    # A summit abroad is where Japan's revision is announced, not whose it is.
    ("Kishida pledges defense buildup at NATO summit",
     ("At the NATO summit in Madrid, Prime Minister Fumio Kishida said Japan would revise its National Security "
      "Strategy by the end of the year."), True),
    ("岸田首相、NATO首脳会議で演説",
     "岸田文雄首相はスペインのマドリードで開かれたNATO首脳会議で、年末までに国家安全保障戦略を改定すると表明した。", True),
    # The 防衛 of 防衛省 qualified the ministry's recruitment plan as a security document (6.5).
    ("防衛省、採用計画を見直し",
     "防衛省の自衛官採用計画を見直す方針が固まった。", False),
    # The land-survey law's plan (安全保障上重要な土地) read as a security document (6.5) ...
    ("重要土地の調査計画を改定", "政府は安全保障上重要な土地の調査計画を改定した。", False),
    # ... and a baseball club revising its "defense plan" for the Japan Series as Japan's (6.25).
    ("Giants revise defensive plan",
     "Japan's Yomiuri Giants will overhaul their defense plan for the Japan Series, the manager said.", False),
    ("NATO allies agree 5% target",
     "NATO allies agreed on Wednesday to raise their defense spending target to 5% of GDP by 2035, up from 2%.", False),
]


@pytest.mark.parametrize("title,text,relevant", ANALYST)
def test_an_analysts_probe_texts(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant



# An audit of the shapes stories take (2026-12, after reading 2022 and 2025-26 coverage of the revision and of other
# governments' strategies; the texts are ours): a headline alone, a wire flash, an explainer, an editorial, a
# neighbour's reaction, a budget tied to the documents; and others' documents with Japan in them as the audience,
# the comparison or the ally, other plans with security in their name. These passed as they are; kept as probes.
AUDIT = [
    ("安保3文書、年内改定へ", "", True),
    ("Japan to revise three key security documents early", "", True),
    ("【速報】政府、3文書を閣議決定", "政府は16日の閣議で、国家安全保障戦略など3文書を決定した。", True),
    ("Q&A 安保3文書とは", ("Q そもそも何の文書か。A 外交・防衛政策の指針となる国家安全保障戦略、防衛の目標を示す国家防衛戦略、"
                         "装備の整備規模を定めた防衛力整備計画の三つを指す。"), True),
    ("(社説)安保文書改定 拙速な議論を避けよ",
     "戦後の安全保障政策を大きく変える文書の改定作業が年末に向けて進む。政府は有識者会議の議論を踏まえ、与党協議に入る。", True),
    ("中国、日本の防衛文書に反発", "中国外務省の報道官は、日本が閣議決定した防衛政策の文書について「中国を中傷している」と反発した。",
     True),
    ("沖縄県議会が意見書", "沖縄県議会は、安保3文書の改定で県内へのミサイル配備が進むことに反対する意見書を可決した。", True),
    ("整備計画、43兆円超え視野", "次期防衛力整備計画の総額は43兆円を上回る見通しだ。", True),
    ("Japan approves new security strategy",
     "TOKYO, Dec 16 (Reuters) - Japan's cabinet approved a new national security strategy on Friday.", True),
    ("Tokyo to rewrite defense blueprint",
     "Tokyo will rewrite its defense blueprint by December, officials said.", True),
    (None, ("The National Security Strategy of Japan, adopted in 2013, will be revised for the first time this "
            "year."), True),
    ("Editorial: Explain the defense shift",
     ("The government's plan to overhaul its security policy documents by year-end deserves more public debate. "
      "Raising defense spending to 2% of GDP without a clear funding plan is irresponsible."), True),
    (None, ("A Chinese Foreign Ministry spokeswoman criticized Prime Minister Takaichi's plan to revise the national "
            "security strategy and two other security-related documents by the end of 2026."), True),
    ("Japan seeks record defense budget",
     ("Japan's defense budget request for fiscal 2027 reached a record 9 trillion yen in the last year of the "
      "five-year Defense Buildup Program."), True),
    ("South Korea voices concern over Japan's security strategy",
     ("Seoul expressed regret on Friday that Japan's new National Security Strategy repeats its claim to the Dokdo "
      "islets."), True),
    ("韓国、国家安保戦略を発表",
     "韓国政府は国家安保戦略を発表した。日本の国家安全保障戦略と同様に、北朝鮮を差し迫った脅威と位置づけた。", False),
    ("米国家安保戦略、日本に防衛費増要求",
     "トランプ政権が公表した国家安全保障戦略は、日本に防衛費の増額を求めた。日本政府は内容を精査している。", False),
    ("豪、国家防衛戦略を公表", "オーストラリア政府は国家防衛戦略を公表し、日本との防衛協力の強化を掲げた。", False),
    ("ドイツ、初の国家安保戦略", "ドイツ政府は初の国家安全保障戦略を閣議決定した。ロシアを最大の脅威と位置づけた。", False),
    ("経済安保法の基本方針を改定", "政府は経済安全保障推進法に基づく基本方針を改定し、閣議決定した。", False),
    ("三菱重工、中計を発表", "三菱重工業は防衛事業の売上高を倍増させる中期経営計画を発表した。防衛費の増額が追い風となる。", False),
    ("市が国民保護計画を改定", "市は武力攻撃事態に備える国民保護計画を改定した。安全保障環境の変化を踏まえた。", False),
    ("NATO、新戦略概念を採択", "NATOは首脳会議で新たな戦略概念を採択し、加盟国に防衛費をGDP比5%に引き上げるよう求めた。", False),
    ("フィリピン、国家安保政策を改定", "フィリピン政府は国家安全保障政策を改定し、南シナ海での防衛力強化を打ち出した。", False),
    ("Government releases inaugural National Defence Strategy",
     ("The Federal Government has released the inaugural National Defence Strategy, which sets out a new approach to "
      "the defence of the nation. Deputy Prime Minister Richard Marles said it would transform the ADF."), False),
    ("German cabinet adopts first security strategy",
     "The German government approved the country's first National Security Strategy on Wednesday.", False),
    ("Yoon's office releases security strategy",
     ("President Yoon's office issued its first National Security Strategy on Wednesday, calling for closer security "
      "cooperation with Japan."), False),
    ("Seoul's strategy mirrors Tokyo's",
     ("South Korea's new National Security Strategy, like Japan's, names North Korea as the most pressing "
      "threat."), False),
    ("US NDS names China top threat",
     ("The 2026 National Defense Strategy names China the pacing threat and calls on allies including Japan to spend "
      "3.5% of GDP on defense."), False),
    ("Japan studies U.S. strategy",
     ("Japan's government said it would study the new U.S. National Security Strategy, which calls on Tokyo to spend "
      "more on defense."), False),
    ("Philippines adopts defense concept",
     ("The Philippines adopted a new defense strategy, the Comprehensive Archipelagic Defense Concept, to protect its "
      "waters."), False),
    ("Germany's security strategy", "Berlin's first National Security Strategy commits Germany to spend 2% of GDP on "
                                    "defense.", False),
]


@pytest.mark.parametrize("title,text,relevant", AUDIT)
def test_the_audits_probe_texts(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# A reaction to Japan's "new" document is news of its revision as a revision verb is (4 and 0 before: the audit's gaps);
# "new" in a background line, a reaction dated in the past, another government's new document, the defense white paper
# (which "defense ... paper" matched, 6 with "revised") are not.
@pytest.mark.parametrize("title,text,relevant", [
    ("US welcomes Japan's strategy", "The White House welcomed Japan's new National Security Strategy, calling it a bold step.",
     True),
    ("中国、日本の安保戦略に反発", "中国外務省の報道官は、日本の新たな安保戦略が中国を「最大の戦略的挑戦」と位置づけたことに反発した。", True),
    ("Japan's defense", ("Japan, which adopted a new National Security Strategy in 2022, has been criticized for its defense "
                         "spending."), False),
    ("China and Japan", "China has criticized Japan's new National Security Strategy since it was adopted in 2022.", False),
    ("Beijing reacts", "Beijing welcomed the new US National Defense Strategy's softer tone on China.", False),
    ("Korea's new strategy", "Tokyo welcomed South Korea's new National Security Strategy on Tuesday.", False),
    ("中国、韓国の安保戦略に反発", "中国外務省の報道官は、韓国の新たな安保戦略に反発した。", False),
    ("Seoul reacts", "Seoul criticized Japan's new defense white paper for repeating claims to the islands.", False),
    ("Japan's white paper", "Japan revised its defense white paper to stress China's threat.", False),
])
def test_a_reaction_to_japans_new_document_is_news_of_its_revision(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# A headline alone (a paywall's, a feed's entry for a page newsmon could not read): a Japanese outlet names the
# government last after a space, or not at all. Scored 0 (the structure was nobody's) or as Japan's the US
# government's strategy its headline closes with. Headlines and texts written for the test.
@pytest.mark.parametrize("title,text,relevant", [
    ("安保戦略、年内改定へ", "", True),
    ("年内に安保戦略を改定へ", "", True),
    ("安保戦略を年内改定へ 政府", "", True),
    ("防衛戦略を改定へ 防衛省", "", True),
    ("安保3文書改定を評価 米国務省", "", True),  # the US on Japan's: these names are Japan's alone
    ("国家安全保障戦略を改定 米政府", "", False),
    ("安保戦略を改定へ", "米政府は来年、安全保障戦略を見直す方針だ。", False),
    ("トヨタ、安全保障戦略を見直し", "", False),  # a subject no marker knows: a company's
    ("防衛戦略を見直し", "", False),  # a bare 防衛 is a company's takeover defence or a title's as often
    ("Security strategy to be revised", "", False),  # English headlines name their subject
])
def test_a_headline_alone_is_whose_its_outlet_means(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# The Defense Buildup Program's five-year total as Kyodo's and The Japan Times' headlines abbreviate it: a headline
# alone was scored 0 (two cases of the held-out listings, moved here when this was matched; heldout.md).
@pytest.mark.parametrize("title,relevant", [
    ("Defense panel weighs revising ¥43 tril. buildup plan as costs climb", True),
    ("Kishida tells ministers to earmark ¥43 tril. for five-year defense plan", True),
    ("Japan weighs ¥43 tril defense outlay over five years", True),
    ("Govt set to fund 43 tril. yen buildup with tax hikes", True),
    # Another government's sum of the same size stays its own; and a trillionaire is no trillion.
    ("China's defense budget rises 7% to ¥43 tril.", False),
    ("Japan's first ¥43 trillionaire", False),
])
def test_a_headline_abbreviating_the_five_year_total_is_relevant(topics, title, relevant):
    assert top(title, "", topics).relevant is relevant


# The five-year total counts only in a sentence (or headline) that says what it is: 43兆円 of household assets, of a
# market's value, passed as the documents' (found probing, 2026-12-04). Its words are defense's and the plan's own,
# five years and the documents: with defense words alone, a held-out listing moved here was lost.
@pytest.mark.parametrize("title,text,relevant", [
    ("家計の金融資産、43兆円増", "日銀の資金循環統計で、家計の金融資産は前年同期から43兆円増えた。", False),
    ("東証の時価総額、43兆円増加", "", False),
    ("Tokyo market value up ¥43 trillion in November", "", False),
    ("防衛費5年総額、43兆円で調整 政府", "", True),
    ("政府、43兆円の確保を指示", "岸田首相は防衛力整備計画の総額を43兆円とするよう関係閣僚に指示した。", True),
    ("FOCUS: Japan starts defense buildup under revised strategy documents",
     "Japan will spend 43 trillion yen over five years from fiscal 2023 under the three documents revised in "
     "December, a sharp increase from the 27.5 trillion yen set in the previous five-year program.", True),
    # An economic package names its own sum: under a headline naming defense spending its 43兆円 took the headline's
    # word for the buildup's total (9: a re-check of audit13). A sentence that names the plan itself keeps the sum.
    ("補正予算案、防衛費を積み増し", "政府は補正予算案を決定した。経済対策の規模は43兆円となった。", False),
    ("Extra budget adds to defense spending", "The Cabinet approved the extra budget on Friday. The economic package "
                                              "totals 43 trillion yen.", False),
    ("", "政府は経済対策とは別に、防衛力整備計画の43兆円を上回る水準を検討する。", True),
    # The package names its own subject and takes nothing from the goal it carries (5.5 at 1: a second re-check).
    ("", "The economic package includes 1.1 trillion yen for defense, enabling Japan to reach its goal of spending 2% "
         "of GDP on defense this fiscal year.", True),
])
def test_a_sum_counts_only_in_a_sentence_that_says_what_it_is(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# The revision's spending goal beyond 2% (2025-26: 3%, 3.5%, 5% under US pressure) was no term: a headline or a
# one-sentence flash on it named only 防衛費 or "defense spending" (4.5 in a headline, 3 in a flash: audit13). It counts
# as 2% does, with a word of defense in its sentence or headline (in English a word of spending: 3.5% and 5% are NATO's
# and the Pentagon's numbers, "calls on allies to spend 3.5% of GDP"); another government's stays that government's.
@pytest.mark.parametrize("title,text,relevant", [
    ("Japan to boost defense spending to 3.5% of GDP under new plan", "", True),
    ("防衛費GDP比3%超へ 政府が新目標を検討", "", True),
    ("防衛関連費、GDP比で3%超に 有識者会議が提言へ", "", True),
    ("", "政府は防衛費と関連経費を合わせた新たな目標を、国内総生産(GDP)比3.5%程度とする方向で調整に入った。", True),
    ("", "TOKYO (Kyodo) -- Japan is considering raising defense-related spending to around 3.5 percent of gross "
         "domestic product, government sources said Tuesday.", True),
    ("Japan mulls 3.5% of GDP defense target", "", True),
    ("韓国、国防費をGDP比3.5%に 李政権が方針", "", False),
    ("台湾、防衛予算GDP比5%へ 頼総統", "台湾の頼清徳総統は、防衛予算を2030年までに国内総生産(GDP)比5%に引き上げる考えを示した。", False),
    ("NATO allies agree 5% of GDP defense spending goal", "", False),
    ("South Korea to raise defense spending to 3.5% of GDP by 2035", "", False),
    ("Hegseth urges Japan to spend 3.5% of GDP on defense", "", False),
    # The goal about a share, as a range's start (～ is ~ after NFKC) and in English with "its" (a re-check of audit13:
    # each scored 4.5 or 3); another government's range stays its own, and a deficit's share is no goal.
    ("防衛費、GDP比3.5～5%案も 政府内で議論", "", True),
    ("", "政府は防衛関連予算をGDP比で約3%に増やす案を検討している。", True),
    ("", "Tokyo plans to lift defense spending to about 3.5% of its gross domestic product by fiscal 2030.", True),
    ("台湾、防衛予算をGDP比3〜5%に 頼総統が表明", "", False),
    ("", "財政赤字はGDP比約3%に縮小する見通しだ。防衛費の増加は続く。", False),
    # The goal in the words of the call on allies ("Japan to spend 3.5% of GDP on defense": 0, audit13) counts for six,
    # not beside a word of a call, whoever the next sentence names.
    ("", "Japan will spend 3% of its GDP on defense by fiscal 2030, government sources said.", True),
    ("", "The strategy presses allies such as Japan to spend 5% of GDP on defense. Chief Cabinet Secretary Kihara "
         "said Japan would decide on its own.", False),
    ("Japan urged to spend 3.5% of GDP on defense", "", False),
    # A word of the call counts whole, before the goal and not set off by a comma, or as the verb of a last clause
    # naming the caller: anywhere in the sentence, "tasks", "amid US demands", "Under U.S. pressure, Japan …" kept
    # Japan's goal out (0: a second re-check of audit13).
    ("Under U.S. pressure, Japan to spend 3.5% of GDP on defense", "", True),
    ("Japan, urged by Trump, to spend 3.5% of GDP on defense", "", True),
    ("Japan eyes spending 3.5% of GDP on defense amid US demands", "", True),
    ("", "Japan will spend 3.5% of its GDP on defense by 2035 to meet new tasks, officials said.", True),
    ("", "Japan plans to spend 3.5% of GDP on defense, according to an official who asked not to be named.", True),
    ("Pentagon presses Japan, Australia to spend 3.5% of GDP on defense", "", False),
    ("NATO urges allies, including Japan, to spend 5% of GDP on defense", "", False),
    ("Japan should spend 3.5% of GDP on defense, a senior U.S. official urged", "", False),
    # Taiwan's president and the Pentagon's policy chief by their surnames (9 as Japan's: a second re-check).
    ("Lai pledges to spend 5% of GDP on defense", "", False),
    ("Colby wants Japan to spend 3.5% of GDP on defense", "", False),
    # What Japan should or must spend, said by another government's official closing the headline, is that
    # government's demand (9 as Japan's goal); a Japanese panel's or minister's is Japan's, and "will" reports a plan.
    ("Japan should spend 3.5% of GDP on defense, Hegseth says", "", False),
    ("Japan must lift defense spending to 3.5% of GDP, U.S. official says", "", False),
    ("日本は防衛費をGDP比3.5%に引き上げるべきだ 米国防長官", "", False),
    ("Japan should raise defense spending to 3.5% of GDP, LDP panel says", "", True),
    ("防衛費はGDP比3.5%に引き上げるべきだ 自民提言", "", True),
    ("Japan will spend 3.5% of GDP on defense, U.S. official says", "", True),
    ("", "Japan should spend 3.5% of GDP on defense, U.S. Defense Secretary Pete Hegseth said. The government is "
         "revising the National Defense Strategy.", True),
    # "Spend 3.5% of GDP on defense" is NATO's and the Pentagon's call on allies; read as Japan's goal, the US
    # strategy's call passed where a neighbouring sentence named a Japanese official (RESPONDED_FIRST): it needs a word
    # of spending.
    ("", "The strategy urges allies including Japan to spend 3.5% of GDP on defense. Kihara said Japan would study it.",
     False),
    # A share that is no goal: a budget's (1.8%), or the decimals of another (1.2% is not 2%).
    ("Japan's defense budget 1.8% of GDP in fiscal 2026 draft", "", False),
    ("Japan's defense spending was 1.2% of GDP last year", "", False),
])
def test_a_spending_goal_beyond_two_percent_counts_as_the_goal(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# Public finances are measured against GDP too: a deficit's or interest costs' GDP比2% beside 防衛費 named as one of the
# outlays passed at 6-12 (audit13). The share counts only with a word of defense in its sentence or headline, and a
# fiscal story's words (基礎的財政収支, 債務残高, "primary deficit", "debt-servicing costs") subtract; the goal in a
# sentence that leaves the subject to its headline is still the goal.
@pytest.mark.parametrize("title,text,relevant", [
    ("基礎的財政収支、26年度はGDP比2%の赤字 内閣府試算", "内閣府の中長期試算によると、国と地方の基礎的財政収支は26年度にGDP比2%の"
     "赤字となる。社会保障費や防衛費の増加で歳出が膨らむ。", False),
    ("", "財務省は、国債の利払い費が国内総生産(GDP)比で2%に迫るとの試算をまとめた。防衛費や社会保障費の増加も歳出を押し上げる。",
     False),
    ("PB黒字化目標を複数年度に 首相、財政目標を見直し", "高市首相は、基礎的財政収支を単年度で黒字化する目標を見直すと表明した。"
     "防衛費の増額や物価高対策で歳出は膨らみ、財政赤字はGDP比で2%を上回る。", False),
    ("Cabinet Office projects primary deficit", "The Cabinet Office projected the primary balance deficit at 2% of GDP "
     "in fiscal 2026. Rising social security and defense spending add to outlays.", False),
    ("Japan's debt-servicing costs to near 2% of GDP, Finance Ministry estimates", "Japan's interest payments on "
     "government bonds will approach 2 percent of GDP by fiscal 2029, the Finance Ministry estimated. Defense spending "
     "and social security costs also continue to rise.", False),
    ("防衛費、NATO基準でGDP比1.8% 2%目標に届かず", "政府は防衛費と関連経費の合計がNATO基準ではGDP比1.8%にとどまるとの試算を"
     "まとめた。政府は今年度中にGDP比2%の目標を達成すると説明してきたが、算入方法によって数字が変わる。", True),
    ("", "高市首相は、防衛費をGDP比2%とする目標を今年度中に達成したと表明した。", True),
    # A budget story's headline names defense spending, its body another outlay's share: a sentence naming a word of
    # another subject (国債費, "interest payments") keeps its share from the headline's word of defense (8 and 7.5: a
    # re-check of audit13).
    ("来年度予算案、過去最大122兆円 防衛費は9兆円台", "政府は来年度予算案を閣議決定した。金利上昇で国債費は30兆円を超え、"
     "GDP比で5%に達する。", False),
    ("防衛費と社会保障費が膨張 来年度予算案", "来年度予算案は過去最大となった。国債費もGDP比で2%を超える見通しだ。", False),
    ("Japan's defense budget tops 9 trillion yen in record budget",
     "Interest payments on government bonds will rise to 3% of GDP.", False),
    ("Japan's defense budget tops 9 trillion yen in record budget",
     "Interest costs on government debt will climb to about 3 percent of GDP by fiscal 2028.", False),
    # A growth strategy's "strategy" is no word of the documents for the share its body names (a re-check of audit13:
    # 6 as the investment share counted); the strategy the headline means otherwise leaves the share the goal.
    ("Japan's new growth strategy sets 2% of GDP goal", "The government will lift investment in chips and AI to 2% of "
     "GDP by fiscal 2030. Defense spending will also rise.", False),
    ("Japan's new strategy sets 2% of GDP goal", "The government will reach 2% of GDP by fiscal 2027. Defense spending "
     "will rise each year.", True),
])
def test_a_share_of_gdp_in_public_finances_is_not_the_spending_goal(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# A poll and the stock market's day name the spending goal among other things (a6-m-04, a6-m-14): with the goal beyond
# 2% counted, a poll's one line on GDP比3.5% and defense shares bought on it passed at 6 and 6.5 (audit13). Their words
# subtract; a poll on the revision itself names it.
@pytest.mark.parametrize("title,text,relevant", [
    ("内閣支持率58% 共同通信世論調査", "共同通信社の全国電話世論調査で、高市内閣の支持率は58%だった。物価高対策を「評価する」は"
     "46%。防衛費をGDP比3.5%に引き上げることには「反対」が52%だった。", False),
    ("防衛関連株が軒並み高 防衛費増額の思惑", "東京株式市場で防衛関連株が買われた。政府が防衛費をGDP比3.5%程度まで引き上げる"
     "との観測が広がり、三菱重工業や川崎重工業が上場来高値を更新した。", False),
    ("防衛費GDP比3.5%「反対」56% 毎日新聞世論調査", "政府が年末の安保関連3文書改定で検討している防衛費の新目標について、"
     "GDP比3.5%への引き上げに「反対」は56%だった。", True),
    # A poll is a report on the topic, as the white paper is (reports = true): beside the revision told by the structure
    # it subtracts nothing. A cabinet poll's line on 安保戦略の改定 (a8-q-02's kind) and an election's "polls" beside
    # "vows to review security strategy" went under (4.5, 5.8: a re-check of audit13).
    ("内閣支持率44% 本社世論調査", "本社の全国世論調査で、高市内閣の支持率は44%だった。政府が年内に予定する安保戦略の改定には"
     "「賛成」が48%、「反対」が37%だった。", True),
    ("Japan's opposition wins upper house polls, vows to review security strategy", "", True),
    # The market's day on the revision stays the market's (a8-m-01's kind).
    ("防衛関連株が上昇", "東京株式市場で防衛関連株が買われた。政府が安保戦略を年内に改定する方針を示したことが材料視された。", False),
])
def test_a_poll_and_a_market_day_naming_the_goal_are_other_subjects(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# The fourth audit (2026-12-05): 122 cases written for it, on Japan's documents in wire phrasings and on what
# reads like them: other governments' strategies and spending (ルラ政権, エルドアン政権, 李政権, 同国政府: a word of
# government glued to a name in katakana or to 同国 lent Japan its 政府, and Brazil's strategy scored 31), other
# senses (巨人の反撃能力, a boxer's 防衛戦略, defense lawyers' strategy, 中期防災計画, a Tomahawk steak, the June
# 3文書 of 骨太の方針, 43兆円 of NISA) and English revision verbs (revamp, rethink, re-examine). 33 were wrong
# before, 6 were; 4 are (below, left open): the documents described as 外交・安保政策の指針 (p-ja-07) and 安全保障政策の
# 基本方針 (p-ja-20) are the structure's since audit15 (policy_nouns, right after a qualifier and 政策の only).
# tests/fixtures/relevance/audit4.jsonl: each case's label and why.
AUDIT4_GAPS = {
    "o-en-10": "police revising a summit's security plan reads as the structure; police as a veto word would cost "
               "articles on the strategy's SDF-police cooperation",
    "o-ja-19": "a game mode named 敵基地攻撃: rare, and ゲーム also opens ゲームチェンジャー",
    "o-ja-27": "a ministry's other 3文書 with 政府 and a revision verb",
    "p-en-29": "one bare 'counterstrike' and 'under the new security doctrine' without a verb",
}


def _audit(name: str, gaps: dict[str, str]) -> list:
    """An audit's cases (``tests/fixtures/relevance/<name>.jsonl``), those in ``gaps`` expected to fail."""
    with open(RELEVANCE_FIXTURES / f"{name}.jsonl", encoding="utf-8") as lines:
        cases = [json.loads(line) for line in lines]
    return [pytest.param(c["title"], c["text"], bool(c["label"]), id=c["id"], marks=[pytest.mark.xfail(
        strict=True, reason=gaps[c["id"]])] if c["id"] in gaps else []) for c in cases]


# The fifth audit (2026-12-05): 104 English cases written for it in the wire services' and English editions'
# phrasings: other governments' strategies (the US, the UK, Australia, Indonesia …), Japan's documents in
# paraphrase ("lift military spending to 2% of economic output", "defense-related spending", "long-range cruise
# missiles", "fundamentally reinforce its defense capabilities") and other senses (a futsal side's counterattack
# capability, a hockey team's or a church's legal team's defense strategy, Japanese firms' defense spending). 18
# were wrong before, 9 were (below, left open), 8 were: a5-f-29's "the Defense Ministry" is Indonesia's under its
# headline (Attributor.retold); 6 are: the June set's "primary budget surplus" and the budget's "debt-servicing costs"
# are fiscal words that subtract (audit13). tests/fixtures/relevance/audit5.jsonl: each case's label and why.
AUDIT5_GAPS = {
    "a5-f-02": "the US strategy's story names Tokyo's defense buildup and a Japanese minister's defense spending: "
               "each term is Japan's by its own sentence, and the article's owner is taken as Japan",
    "a5-p-08": "the documents as 'three pillars of Japan's security policy' and the capability as 'strike back at "
               "missile launchers': no term",
    "a5-p-11": "'fund the defense boost with corporate, tobacco taxes': no tax phrasing of the list",
    "a5-p-12": "'signs off on counterstrike', 'three new policy papers': bare counterstrike is also a video game",
    "a5-p-13": "the documents as a 'trilogy' and 'documents that underpin Japan's defense posture': no term",
    "a5-o-21": "police revising a security plan, with Abe named as a victim: audit4's o-en-10 again",
}


# The sixth audit (2026-12-05): 114 Japanese cases written for it in the wire services' and papers' phrasings of
# 2025-26 (高市政権, 前倒し改定, 有識者会議, 原潜, 3文書に明記へ), other governments' documents and spending in Japanese,
# other senses (a J1 side's 反撃能力, 生活防衛's 43兆円, 企業の防衛費) and background mentions dated as 22年末に改定した
# or 22年12月に…を策定し、…ている. 18 were wrong before, 11 are (below, left open). tests/fixtures/relevance/
# audit6.jsonl: each case's label and why.
AUDIT6_GAPS = {
    "a6-p-14": "国安戦略 is no term: an abbreviation seen nowhere else in the sets",
    "a6-p-34": "a bare 整備計画 (its 防衛 only in 防衛省): as a noun it is also roads', ports' and schools' plans",
    "a6-p-37": "the panel (安保有識者会議) and 継戦能力 named, no document: no term",
    "a6-m-03": "labelled 0 by the budget convention (a5-m-03): a budget story naming the buildup program",
    "a6-m-10": "active cyber defense's own policy, the NSS cited: the held-out listings' convention labels it 0",
    "a6-m-15": "a personnel story whose office 'handles the revision of the three documents': present tense, "
               "the structure's; labelled background",
    "a6-o-19": "the US NDS's demand of Japan (防衛費3.5%) under a headline ending 政府は静観: the headline's subject "
               "owns its 防衛費",
    "a6-o-36": "a figurative 反撃能力 (a party's against the government): attributed to Japan by 政権",
    "a6-o-43": "an obituary: 1990年代に…策定に携わり is a past the verb's form does not show",
    "a6-o-45": "a scandal story naming 43兆円 and 防衛費 beside 懲戒処分: the against word takes 2 of 7",
    "a6-o-50": "a personnel story: 22年の安保3文書策定に関わった, a year before a noun",
}


# The seventh audit (2026-12-05): 105 cases written for it (60 Japanese, 45 English, 47 relevant) in areas the
# others did not cover: editorials and columns, Diet reports, long articles, foreign documents reported in Japanese,
# other senses (the 1960 treaty's diplomatic records, a household's 家計防衛, a national team's 防衛戦略), the English
# editions' and NHK World's phrasings, and digests. 18 were wrong before, 13 are (below, left open). Then 41 cases
# (a7-r-…) a re-check wrote against the audit's own rules: "Since updating the strategy in 2026 will require …" (a
# cause, not a date) and a plastic model of the Type-12 launcher were wrong, and are mended; one is left open. A
# second re-check's 25 (a7-r2-…): since-lines without a comma, "in late 2022" and Type-12 kits in an "orange box"
# ("range" was a needs word) were wrong, and are mended; three budget and aside cases are left open.
# tests/fixtures/relevance/audit7.jsonl: each case's label and why.
AUDIT7_GAPS = {
    "a7-e-11": "active cyber defense's own policy, the NSS cited: the held-out listings' convention labels it 0 "
               "(a6-m-10 again)",
    "a7-d-08": "a Diet day on political funds whose last line says the revision was also asked about: the rules "
               "cannot tell 'also discussed' from news",
    "a7-f-02": "the Philippines' NDS under a headline opening 比、: 比 is also a ratio (GDP比、), so no marker",
    "a7-f-03": "Taiwan's QDR naming Japan's counterstrike with 挙げ: China's reactions, labelled 1, use it too",
    "a7-f-16": "Korea's spending with Japan's 2% as its measure, named with 挙げ (a7-f-03's verb)",
    "a7-o-05": "a rugby side's 防衛戦略 under 日本代表: rugby subtracts but does not veto (its entry holds 'friendly')",
    "a7-o-06": "an esports side's 反撃能力 under 日本代表: no veto word, and 日本代表団 is a government's",
    "a7-o-13": "the security law's anniversary: 22年には安保3文書で…決まり, a verb the date rule does not read",
    "a7-o-14": "'Japan's top insurer revamps security strategy': a possessive Japan's outweighs the company word",
    "a7-n-09": "'proposals for security documents': the structure alone, deliberately under the threshold",
    "a7-n-12": "'ability to hit enemy missile launch sites' is no variant: South Korea's words too",
    "a7-g-03": "a digest's one line 'Japan to revise security documents': the structure alone",
    "a7-g-12": "a digest whose baseball item's veto word vetoes its revision item: vetoes are the story's, not a "
               "paragraph's",
    "a7-r-s2": "Japan's revision under a headline whose subject takes NATO's 戦略概念 as its model (政府、NATOの…を参考に): "
               "NATO, named last, owns the headline's document noun",
    "a7-r2-s3": "a background 'since adopting … in 2022 — its first update in nine years —': the aside's noun "
                "'update' reads as a revision undated",
    "a7-r2-s9": "a budget story whose since-line names the NSS: the budget convention labels it 0, and 'defense "
                "spending' in the headline scores (a5-m-03's kind)",
    "a7-r2-s9c": "a7-r2-s9 with a comma after the year: the since-line is dated either way; the budget's terms score",
}


# The eighth audit (2026-12-05): 104 cases written for it (55 Japanese, 49 English, 50 relevant) in areas the others
# did not cover: the 2026 revision's panel and parties' proposals, budget requests tied to it or not, Diet and Board
# of Audit stories, Okinawa and base stories, profiles and obituaries, reviews, polls, market stories, foreign press
# and think tanks, countries the others barely name (Hong Kong, Sweden, Mongolia …), a prefecture's, a university's
# and a party's "security" plans, economic security, other senses (trade defense, curling). 13 were wrong before, 6
# are (below, left open). Mended: "three national defense documents" was no name of the set; 香港政府 lent Japan its
# 政府; trade defense, research security and a curling side's defense strategy read as the documents; "who helped
# draw up … in 2013" was undated; startups' venture funding counting on the buildup's total. Re-reading the audit's
# right answers, "Amid tensions in the Taiwan Strait, the government will revise its National Security Strategy"
# was Taiwan's and scored 0: the Taiwan Strait, 台湾有事 and "the Taiwan issue" are places now (a8-tw-…). So were
# sentences opening with a phrase of circumstance naming another government ("Following Russia's invasion of
# Ukraine, the government decided to revise …") and "Japan told the Philippines it would revise its …" (a8-cl-…).
# tests/fixtures/relevance/audit8.jsonl: each case's label and why.
AUDIT8_GAPS = {
    "a8-n-13": "the next buildup program as 現行の5カ年計画の後継: 5カ年計画 is no term, and its sentence names no 防衛 "
               "(the next one does)",
    "a8-p-02": "an obituary headed by the policy term it once urged (敵基地攻撃能力の保有を主張): a headline's policy term "
               "passes on its own, and 死去 subtracts nothing (a6-o-43's kind)",
    "a8-m-01": "a market report naming the revision (安保関連3文書の改定を見据え…買い): labelled 0 by a6-m-14's market "
               "convention; market words subtract 2 (audit13), the set's name and its revision outweigh them",
    "a8-i-06": "the LDP's security plan for its headquarters: a building's security plan with a party as its owner "
               "(o-en-10's police plans)",
    "a8-e-02": "Japan's economic security strategy with an aside naming the NSS 'which the government is also "
               "revising': an aside cannot be told from news (a7-d-08)",
    "a8-o-04": "textbook screening of 反撃能力's description in the headline: the document is dated background, the "
               "policy term it set is not",
    "a8-tw-02": "China's reaction: Japan's counterstrike is Japan's now ('the Taiwan issue' names no government), but "
                "'the security documents it is revising' goes to the story's owner, China",
}


# A re-check of the eighth audit's attribution rules (2026-12-05): 145 cases written against them, in both
# directions. Against the rules as first written, 14 that were right before were wrong: the purpose ため
# (改定するため、政府は…) read as a cause, "told Japan it would need to" as the teller's, "has sought to revise … in
# 2026" as dated, a who-clause's country ("who is also Australia's deputy prime minister") as a scene, and six foreign
# stories whose opening named their own government ("South Korea begins rewrite …": "After President Lee took
# office, the government began revising its …") scored as Japan's. All but one are mended: the cause ため only
# after a past, a negative or a state; "need to"/"have to" after "it"; not after has/have; which-clauses only; an
# opening naming the headline's subject is the story's own, no scene. 15 more that were wrong before are right, and 5
# more with the openings the re-check named ('To counter …', 'Responding to …', 'Since …', 'When asked about …', 'In a
# meeting with …'). 18 stayed wrong, 17 of them wrong before the audit's rules too; 12 still are (below): under a
# headline naming one government only, "the government" is that one's once the body has named it (Attributor.retold),
# which mended four foreign stories with a weak subject and the which- and whose-clauses whose next clause had one.
# tests/fixtures/relevance/audit9.jsonl.
_WEAK_SUBJECT = ("a foreign story whose sentence names its government only by a weak subject ('the government', "
                 "'the Defense Ministry', 'the cabinet') beside a marker elsewhere: the weak marker is Japan's")
AUDIT9_GAPS = {
    # Their headlines name Japan or the US too (Attributor.story).
    **{case: _WEAK_SUBJECT for case in ("a9-o-f5", "a9-o-f10", "a9-o2-f8")},
    "a9-o2-j3": "an opening whose list runs past its first comma ('Citing threats from China, North Korea and Russia,'): "
                "North Korea, read in the main clause, outweighs 'the government'",
    "a9-o-f9": "the agent rule ('Wary of Japan's plan to acquire …,') reaches across the opening's comma",
    "a9-a-j3": "an aside with a comma inside it (', which, like Washington, sees China as …,')",
    "a9-j2-f2": "a が-subject before a cause clause is lost (台湾国防部が、…ことから、): only a は topic is kept",
    "a9-j2-f4": "Japan in the cause clause, the Korean ministry named only in the next sentence: 政府 is Japan's",
    "a9-j2-j2": "a main clause without a subject after a cause clause naming China: the article's owner, China, decides",
    "a9-ta-j3": "a main clause without a subject after a purpose clause, the US named in the next sentence",
    "a9-pu-j5": "'told Australian Defence Minister Richard Marles that Japan would': Japan and Australia tie",
    "a9-r-f5": "Taiwan's story naming its government only as 'the government', its speaker trailing (', Taiwan's "
               "Executive Yuan said'): 'the government' is the headline's Taiwan's only after the body names Taiwan "
               "(Attributor.retold), and the Taiwan Strait is a place",
}


# Japanese sentence structures with another government named near Japan's document (2026-12-05): 161 cases in the
# wire services' and papers' phrasing (〜を背景に、 〜を念頭に、 〜に先立ち、 quotes, talks, 日米 compounds, leaders named
# without their country, and the mirror stories of other governments' documents). 16 were wrong: a scene set before
# the comma by a connective (中国の急速な軍備増強を背景に、政府は…) tied China's possessive with a plain 政府は, and four
# of Japan's revisions scored 0; foreign ministers at talks (茂木外相は中国の王毅外相との会談で) and leaders named
# without their country (習氏, 頼氏) were no markers. Mended: the connectives are clauses weighed apart, as …中、 is;
# a kanji name addressed is an object; the foreign leaders' names are markers (Japan's foreign ministers' were too,
# until a re-check found a minister welcoming the US NDS made it Japan's: a10-rc-…). 7 stay wrong.
# tests/fixtures/relevance/audit10.jsonl.
_REACTION_FIRST = ("the document's first mention is in a sentence or headline that only reacts (反発, 懸念, 支持): "
                   "with no earlier mention it goes to the one reacting")
AUDIT10_GAPS = {
    **{case: _REACTION_FIRST for case in ("a10-pj1-016", "a10-pj1b-012", "a10-pj1b-013", "a10-pj1b-020")},
    "a10-pj1-059": "Australia's support of Japan's counterstrike: the headline's 反撃能力 goes to 豪国防相, the headline "
                   "bonus lost (the body's 日本の is Japan's)",
    "a10-pj0-008": "China's white paper wary of Japan's buildup (日本の防衛力強化を背景に): the term is Japan's; whether "
                   "China's reaction is news of it is the analysts' call",
    "a10-pj1-036": "Japan's foreign minister at talks with China's (茂木外相は中国の王毅外相との会談で): 茂木 is no marker, for "
                   "as one a foreign minister welcoming the US NDS made it Japan's (a10-rc-…)",
}


# The re-checks of Attributor.retold and .ahead (2026-12-06): 107 short stories written for them in the English
# editions' and papers' phrasing, Japan's revision with other governments around it (a11-j…, a11-k…: the
# Pentagon's, Britain's or China's document in the headline, "the government" and "the Cabinet" Japan's, Japan named
# late or as Tokyo, officials speaking of Japan's own) and other governments' own strategies (a11-f…, a11-g…). The
# first form of those rules missed 24 of the 78 of Japan's revision (5 at ec9d895, before them); 6 stay wrong, and 3
# of the 29 foreign ones pass (9 at ec9d895). tests/fixtures/relevance/audit11.jsonl.
_SAYS_NOTHING_OF_JAPAN = ("'the government' under a headline of the Pentagon's own document, and no sentence naming "
                          "Japan or a document only Japan has beside it: read as the Pentagon's (Attributor.retold)")
AUDIT11_GAPS = {
    "a11-j26": "Beijing's protest in the headline, the National Security Strategy adopted by 'the Cabinet' and Japan "
               "named as Tokyo after it: wrong at ec9d895 too",
    "a11-j31": "LDP lawmakers praising the National Defense Strategy, the next sentence comparing it with the "
               "Pentagon's: no headline, and the one the Pentagon released takes the mentions: wrong at ec9d895 too",
    "a11-j43": "高市首相's words on the new 国家安全保障戦略, then the Trump administration's of the same name: wrong at "
               "ec9d895 too",
    "a11-k10": _SAYS_NOTHING_OF_JAPAN + " ('the prime minister': the US has none, which no rule knows); right at "
               "ec9d895",
    "a11-f05": "South Korea's strategy, whose 'The government will revise the National Security Strategy' is read as "
               "Japan's (the body names Japan before it): wrong at ec9d895 too",
    "a11-g02": "木原官房長官's quoted words on the Pentagon's 国家防衛戦略, named as the US's only in the next sentence: "
               "the first mention only spoken of is Japan's (a Japanese official on Japan's own is the commoner "
               "story): wrong at ec9d895 too",
    "a11-g07": "Taiwan's strategy, with Japan's Defense Buildup Program cited as its model: the Japan-only document "
               "names Japan, and the article's owner is taken as Japan: wrong at ec9d895 too",
}


# The twelfth audit (2026-12-06): 76 cases on the topic's edges (41 of Japan's other strategies and documents, 35 of
# its revision phrased indirectly), in Japanese and English as Japanese outlets write them in 2025-26: the economic
# security act, active cyber defense, the space security initiative and the Basic Space Plan, the export rules and their
# guidelines, Official Security Assistance, the white paper, NSS personnel, food, energy and ocean plans, the ODA
# charter, the Japan-US guidelines; against the panel, 3文書 alone, GDP-ratio targets, "key security documents",
# "defense blueprint", "security policy overhaul". 16 were wrong before, 4 were left open (2 are, below): a field's own
# plan or guidelines with defense or security before it read as the structure (excluded now); a white-paper story naming
# two of the documents' policies (防衛白書 subtracts now); 防衛関連費 and 国内総生産(GDP)比で2% were no spellings of the
# spending and its goal; "three core security documents" ("renew three core security documents") was no name of the set.
# tests/fixtures/relevance/audit12.jsonl: each case's label and why.
_OWN_LAW = ("a capability the documents created, in a story of its own law and its basic policy (the term counts "
            "twice with the headline's): the held-out convention (ho-en-001, a6-m-10) labels it 0")
AUDIT12_GAPS = {
    # A capability named as its law's name (防衛生産基盤強化法, "active cyber defense law") counts as a document cited
    # (a12-ne-02, a12-nj-17 mended); this story names no law.
    "a12-nj-03": "active cyber defense's oversight body launched: " + _OWN_LAW,
    "a12-pe-18": "a panel on 'Japan's key security documents' with no verb and no number: the structure wants a "
                 "revision verb, and Japan's possessive before a short name is no set's (日本の3文書) but for years "
                 "background",
}


# The thirteenth audit (2026-12-07): 70 short texts (37 Japanese, 33 English) on defense spending targets as feeds carry
# them (headlines alone, one-sentence flashes): Japan's goal beyond 2% tied to the revision (GDP比3.5%, "3% of GDP",
# 2% reached), fiscal stories with GDP ratios (基礎的財政収支, 債務残高, debt-servicing costs), NATO's and other
# governments' 3.5% and 5%, budget stories, polls and the white paper. 27 were wrong before: a share beyond 2% was no
# term (a headline "Japan to boost defense spending to 3.5% of GDP under new plan" scored 4.5); GDP比2% and "2% of
# GDP" counted as a deficit's or interest costs' share beside 防衛費 elsewhere; a white paper telling of the revision
# to come subtracted. 2 stayed open. A re-check added 16 (a13-r-*): 8 were wrong after the audit's rules and are right,
# 8 stayed open. A second re-check mended 6 of those (a range GDP比3〜3.5%, GDP比約3.5%, 防衛関連予算, "3.5% of its gross
# domestic product", an economic package's 43兆円, a growth strategy's "strategy") and a13-pe-14 ("Japan to spend 3.5%
# of GDP on defense": a term with unless, the words of a call on allies); 3 are open (below).
# tests/fixtures/relevance/audit13.jsonl: each case's label and why.
AUDIT13_GAPS = {
    "a13-pe-16": "a one-sentence flash on the white paper telling of the revision by general phrasing ('will revise "
                 "its security documents'): the structure alone in English (5.8) is deliberately under the threshold "
                 "(a7-g-03, a7-n-09); the white paper no longer subtracts beside it",
    # A re-check's cases (a13-r-*): a poll and an election's "polls" beside the revision, the white paper on the years
    # since 2022 (して以降, してから), another outlay's share under a defense-spending headline were wrong and are
    # right; these stay open.
    "a13-r-13": "Japan's goal as another government's yardstick without a word of comparison (the a5-f-02 gap): both "
                "terms are Japan's by their own sentence",
    "a13-r-15": "a fiscal word beside the revision told by the structure alone (6.5 - 2): waiving it beside the "
                "structure makes a5-o-11 (the June set's 'three documents' with 'primary budget surplus') pass",
}


# The fourteenth audit (2026-12-07): 70 short texts (37 Japanese, 33 English, 46 relevant) as feeds and wire services
# carry them: Japan's revision told by an agency or unnamed sources ("..., Kyodo reports", "sources say", 関係者が明らかに
# した, 共同通信の取材で分かった, 時事通信, （共同）), foreign envoys and officials on Japan's revision (label 1) and on their
# own government's strategy (label 0: the US envoy on the US NDS, Australia's on its own), and wire attributions on
# other things. 9 were wrong before: 米大使 and グラス大使 were no markers, so the US envoy's words on his own strategy
# passed as Japan's (7.5); a headline naming the panel (有識者会議, a weak word of Japan's) as an object, or opening with
# its topic (防衛費の新目標、安保戦略に明記へ) read as a company's, lost the unnamed headline's Japan and scored 0-5. 4 are
# open (below).
# tests/fixtures/relevance/audit14.jsonl: each case's label and why.
AUDIT14_GAPS = {
    "a14-we-13": "'back counterstrike in key defense documents': the bare word is also a video game, and 'key defense "
                 "documents' with no revision verb is the structure's noun alone (a5-p-12, a12-pe-18)",
    "a14-we-14": "'counterstrike use': the bare word is also a video game (hl-en-036)",
    "a14-ee-05": "'US envoy urges Japan to spend 3.5% of GDP on defense in strategy revision': the goal in the words "
                 "of a call (unless), and the revision goes to the envoy's US: the one urged is not read as the "
                 "infinitive's agent",
    "a14-fe-07": "'Glass: National Defense Strategy …': the envoy by his bare surname, left out as a marker (a common "
                 "noun opening a headline), so the strategy is no one's and counts as Japan's",
    # The re-check (a14-r-*, 45 texts at the three rules' edges): 10 were wrong before audit14's change, 9 after it,
    # 4 now. 駐米国大使 held the US envoy's 米国大使 and 駐英国大使 the UK's 英国 (Japan's envoys), an NGO opening with
    # 防衛費 was taken for the topic, and Japan's backlash (日本の反発) dropped the US envoy as the one responding.
    "a14-r-05": "米大使「国家防衛戦略は同盟国の貢献を高く評価」: the praise is the quoted strategy's, of allies, but a "
                "response word in the envoy's headline drops the envoy as its speaker, and the strategy is no one's",
    "a14-r-09": "グラス大使、国家防衛戦略を説明 日本の防衛費増額に期待: the envoy's hope of Japan drops him as the "
                "strategy's speaker too, and Japan's 防衛費 makes it Japan's; a headline's two clauses are one sentence",
    "a14-r-18": "'U.S. envoy hopes Japan's new security strategy deepens alliance': 'new security strategy' with no "
                "revision verb is the structure's noun alone, and no term (a14-we-13's kind)",
    "a14-r-26": "安保戦略改定へ 中国の軍拡に対応: 中国 named as the threat is a marker, so the headline's unnamed subject "
                "is not taken as Japan's (only a headline whose markers are all Japan's is)",
}


# The fifteenth audit (2026-12-07): 90 texts (50 Japanese, 40 English, 50 relevant) on the 2026 revision in its own
# words (前倒し改定, 改定作業, 有識者会議の提言, 自民党の提言, 3文書改定案, "revised National Security Strategy", "early
# revision"; drones, 継戦能力, the defense industry, space and cyber, 非核三原則, 認知戦) and near misses (a company's
# security strategy, a prefecture's 防災戦略, other governments' white papers and strategies, 経済財政運営, a team's
# defence strategy, the US NSS and NDS 2026, the 1976 outline's retrospective); a15-h-* name the revision by its short
# names only, and other plans' 前倒し改定, 有識者会議 and 提言. 7 were wrong before: the documents described as 安保政策の
# 指針 or 外交・安全保障政策の基本方針 (0: policy_nouns now, as a4's p-ja-07 and p-ja-20), "In October 1976, the Cabinet
# of … adopted Japan's first National Defense Program Guidelines" (13.5, open: below), and "Japan's revised security
# strategy will …" under "Japan's new security strategy …" (5.8: the body's phrase named by the headline in short is
# boosted as a term is). 4 are open (below).
# tests/fixtures/relevance/audit15.jsonl: each case's label and why (its source the article studied, where one was).
AUDIT15_GAPS = {
    "a15-nj-09": "防衛大綱50年 (a retrospective of the 1976 outline): the headline's 防衛大綱 has no verb to date, and 防衛費 "
                 "in the 1976 sentence is no document, so background does not reach it (a deployment told beside the "
                 "documents' date is news)",
    "a15-ne-11": "'In October 1976, the Cabinet of ... adopted Japan's first National Defense Program Guidelines' "
                 "(13.5): the year is more than three words before the verb; dating a sentence's main verb by the year "
                 "opening it made this year's news history too (In December 2026, the Cabinet approved ...: 21.8 to "
                 "9.3)",
    "a15-h-09": "'overhaul of its key security policy papers': the structure alone in English (5.3), deliberately "
                "under the threshold (a7-n-09), and the headline names no document noun",
    "a15-h-10": "'recommendations for Japan's new defense blueprint': no revision verb, the structure's noun alone "
                "(a14-r-18's kind)",
}


# A re-check of audit15's two rules (2026-12-07): 47 texts (28 Japanese, 17 relevant) written against them, in both
# directions: the policy's guide of other countries, other fields (cyber, space, energy, food, nuclear), parties,
# Keidanren, a prefecture, the Japan-US guidelines (0, as a12-nj-16) and the 1957 basic policy; the headline's short
# name over an event's, a team's, a company's or China's and Korea's strategy. 12 were wrong before the rules, 11
# after them: policy_nouns passed a party's own platform (党の外交・安全保障政策の指針を改定: 17) and energy and food
# security in their other spellings (エネルギー安保, 食糧安全保障: 9), now excluded, and missed the guide with an
# adjective (安全保障政策の新たな指針: 5.5), a policy noun now; a handball side's defence plan (6, 8.5 with the
# headline's boost) is a sport's. 4 stay wrong (below). tests/fixtures/relevance/audit15r.jsonl: each case's why.
_PARTY_SUBJECT = ("a party as the subject making its own platform (立憲民主党は外交・安全保障政策の基本方針を策定し): "
                  "parties are Japan's markers, as they propose and criticise the documents, and 党の is not before it "
                  "(16.5; a party's own 安保戦略 scored so before audit15 too)")
AUDIT15R_GAPS = {
    "a15r-nj-09": _PARTY_SUBJECT,
    "a15r-nj-10": _PARTY_SUBJECT,
    "a15r-pe-04": "an English headline naming no one ('New security strategy to name China …') names nothing of "
                  "Japan's for the body's phrase: English headlines name their subject (5.8, as before audit15)",
    "a15r-ne-01": "a summit's security plan, Japan's, is the structure (a4's o-en-10), and the headline naming it in "
                  "short lifts it over the threshold (5.8 to 8.3)",
}


# The sixteenth audit (2026-12-07): 60 texts (30 Japanese, 30 English, 24 relevant) on other countries' strategies
# beside Japan's: the US NDS of January 2026 and its 5% call on allies, its words on South Korea, Korea's white paper
# and defense plan, Australia's National Defence Strategy and the Mogami frigates, Taiwan's QDR and defense report, the
# Philippines' security policy and the RAA and ACSA with Japan, NATO's 5% goal, the UK's SDR and NSS, Germany's NSS and
# China's white paper (0, each naming Japan, its 反撃能力 or its plans as a yardstick), and China's, Korea's,
# Australia's, the Philippines', Taiwan's, the UK's and the US's words on Japan's revision and Japan's revision told
# beside their documents (1). 3 were wrong before: a cause clause (NATOが…合意したことを受け、3文書改定に向けた政府の
# 有識者会議では…) gave Japan's revision to NATO (5; を受け、 and を踏まえ、 set the scene as を背景に、 does), and a
# headline opening with Australia's document (豪国家防衛戦略、…) was no one's story, so 日本の反撃能力に相当する, the
# yardstick of Australia's weapons, counted as Japan's (8; a headline opening with a government's document now heads
# the story as one opening with the government). 1 is open (below).
# tests/fixtures/relevance/audit16.jsonl: each case's label and why (its source the article studied).
AUDIT16_GAPS = {
    "a16-fj-15": "China's white paper 'warning of Japan's 防衛力強化' (12): Japan's terms as the object of another "
                 "government's concern in its own document, each Japan's by its own sentence (the a5-f-02 gap); "
                 "China's words on Japan's revision are news (a16-pj-01), so a response to Japan's is not cut",
}


# A re-check of audit16's two rules (2026-12-07): 44 texts (36 Japanese, 27 relevant) written against them, in both
# directions: Japan's revision inside or after a clause of を受け、, を受けて、, を踏まえ、 (the panel's proposals, the
# Cabinet decision, the US NDS, NATO's goal; without the comma; 政府が…閣議決定したことを受け、; 政府は、…を受け、), and
# other governments' documents after one (Korea's, Australia's, the UK's, Congress after the US NSS); headlines opening
# with Japan's documents, 日米、, 米、, 日本の, 政府の, "Japan's NDS", "U.S. welcomes Japan's new strategy", with
# another's over Japan's revision (豪国家防衛戦略に呼応、政府が…), or over their own (米の, トランプ政権の, 韓国の, "The
# U.S. National Defense Strategy", an outlet's label first). 4 were wrong before the rules and 4 with them (Australia
# reviewing its strategy after Japan's revision, 13, is right with them), 2 now: a headline opening with the outlet's
# label (【解説】豪国家防衛戦略、…) was no one's story (8): the label is skipped as Attributor.lead's opening; and
# "コルビー米国防次官は、日本が…改定することを踏まえ、米国の国家防衛戦略との整合を…" gave Japan's revision in the clause
# to the US (13 before the rule, 0 with it): the topic's name (コルビー) and 米国 of 米国防次官 outweighed 日本が, as only
# a marker right before は was left out of the clause; its whole topic phrase is now. 2 stay wrong (below).
# tests/fixtures/relevance/audit16r.jsonl: each case's label and why.
_THEIR_DEMAND = ("another government's document asking Japan for its capability and spending (a16-fj-15's kind): "
                 "the headline heads the story as theirs, but each of Japan's terms is Japan's by its own sentence "
                 "(日本が保有を決めた反撃能力, Japan's counterstrike capability), as Japan's answer to such a demand is "
                 "news (a16-pj-04)")
AUDIT16R_GAPS = {
    "a16r-nj-11": _THEIR_DEMAND + " (19)",
    "a16r-ne-03": _THEIR_DEMAND + " (8; the headline's subject was the US's before audit16 too)",
}


@pytest.mark.parametrize("title,text,relevant", [*_audit("audit4", AUDIT4_GAPS), *_audit("audit5", AUDIT5_GAPS),
                                                 *_audit("audit6", AUDIT6_GAPS), *_audit("audit7", AUDIT7_GAPS),
                                                 *_audit("audit8", AUDIT8_GAPS), *_audit("audit9", AUDIT9_GAPS),
                                                 *_audit("audit10", AUDIT10_GAPS), *_audit("audit11", AUDIT11_GAPS),
                                                 *_audit("audit12", AUDIT12_GAPS), *_audit("audit13", AUDIT13_GAPS),
                                                 *_audit("audit14", AUDIT14_GAPS), *_audit("audit15", AUDIT15_GAPS),
                                                 *_audit("audit15r", AUDIT15R_GAPS), *_audit("audit16", AUDIT16_GAPS),
                                                 *_audit("audit16r", AUDIT16R_GAPS)])
def test_the_audits_cases(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant



# audit16: the event a main clause answers (…ことを受け、 …を踏まえ、) sets its scene as を背景に、 does, so Japan's
# revision after NATO's or the Pentagon's news is Japan's (5 and 0 before), and the document in that clause stays its
# government's; a headline opening with another government's document heads the story as one opening with the
# government does, so Japan's capability as the yardstick of theirs (日本の反撃能力に相当する) is context (8 and 6).
@pytest.mark.parametrize("title,text,relevant", [
    ("NATOの新目標、日本の議論に影響", "NATOが国防費をGDP比5%とする目標で合意したことを受け、3文書改定に向けた政府の有識者会議"
     "では、日本の防衛関連費の新たな目標が焦点になっている。", True),
    ("", "米国が国家防衛戦略で同盟国に5%を求めたことを踏まえ、3文書改定に向けた有識者会議は新目標を議論した。", True),
    ("", "米国防総省が国家防衛戦略を公表したことを受け、韓国国防省は対応を協議した。", False),
    ("豪州の国家防衛戦略、打撃力を拡充", "豪州の国家防衛戦略は、日本の反撃能力に相当する長距離打撃力の整備を急ぐ。トマホークの"
     "導入も前倒しする。", False),
    ("米国家防衛戦略、同盟国に打撃力求める", "戦略は、日本の反撃能力と同様の打撃力を同盟国が持つよう求めた。トマホークの"
     "配備も促した。", False),
    ("米国家防衛戦略、日本に防衛費増額を要求", "政府は、年内に改定する国家防衛戦略で、防衛費の水準を日本自身が判断する方針だ。",
     True),
])
def test_a_scene_clause_and_a_headline_opening_with_their_document(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant

# The papers describe the documents by what they are to the policy (安保政策の指針, 外交・安全保障政策の長期指針, 安全保障
# 政策の基本方針): 0 before audit15. Not as other rules' nouns (the export rules' 運用指針, the economic security act's
# 基本方針) nor another field's security policy, which stay 0.
@pytest.mark.parametrize("title,text,relevant", [
    ("自民提言、首相に手渡し", "自民党の安全保障調査会長は、年内の安保政策の指針改定に向けた党の提言を首相に手渡した。", True),
    ("安保有識者会議が初会合", "政府は、外交・安全保障政策の基本方針の見直しに向けた有識者会議の初会合を開いた。", True),
    ("外交・安保政策の指針、年内に見直しへ", "政府の外交・安全保障政策の長期指針が年内に見直される見通しとなった。", True),
    ("運用指針を見直し", "政府は防衛装備移転三原則の運用指針を見直した。", False),
    ("経済安保政策の基本方針を改定 政府", "政府は経済安全保障政策の基本方針を改定した。", False),
    ("エネルギー安全保障政策の指針見直し", "政府はエネルギー安全保障政策の指針を見直す。", False),
    ("韓国、安保政策の指針を改定", "韓国政府は安全保障政策の基本指針を改定した。", False),
    # A re-check of audit15: the guide with an adjective first is the documents too; a party's own platform (党の …)
    # and energy and food security in their other spellings are not.
    ("安保政策の新たな指針、閣議決定", "政府は16日、安全保障政策の新たな指針を閣議決定した。", True),
    ("自民、安保政策の長期指針で提言", "自民党は国家安全保障政策の中長期的な指針の見直しに向けた提言をまとめた。", True),
    ("立憲、党の安保政策の指針を改定", "立憲民主党は党の外交・安全保障政策の指針を改定した。", False),
    ("エネルギー安保政策の基本方針を改定", "経済産業省はエネルギー安保政策の基本方針を改定した。", False),
    ("食糧安保政策の指針見直し", "農林水産省は食糧安全保障政策の指針を見直した。", False),
])
def test_the_documents_as_the_policys_guide_are_the_structures(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# A year opening the sentence is not taken to date its main verb: a helper's rule that did (for a15-ne-11, the 1976
# outline's retrospective) took this December's news for history and cut its score by more than half (21.8 to 9.3),
# as the dating has no "now" to tell this year's date from a past one. The news opening with a date stays the topic.
@pytest.mark.parametrize("title,text", [
    ("Cabinet approves revised security documents",
     "In December 2026, the Cabinet of Prime Minister Sanae Takaichi approved the revised National Security Strategy "
     "and two related documents. The government brought the revision forward by a year."),
    ("Japan adopts new security strategy",
     "In December 2026, the Cabinet adopted a revised National Security Strategy. It calls for defense spending "
     "beyond 2% of GDP."),
])
def test_a_date_opening_the_sentence_does_not_make_this_years_news_history(topics, title, text):
    found = top(title, text, topics)
    assert found.relevant and found.score >= 15


# The body's phrase of the structure that the headline names in short as the home's is the headline's document, as a
# term's name is ("Japan's new security strategy" over "Japan's revised security strategy will …": 5.8, audit15). A
# company's headline names its own, and a headline naming no such noun boosts nothing.
@pytest.mark.parametrize("title,text,relevant", [
    ("Japan's new security strategy to name cognitive warfare",
     "Japan's revised security strategy will for the first time address cognitive warfare, according to a draft.",
     True),
    ("Japanese carmaker's new security strategy targets ransomware",
     "The carmaker revised its security strategy after a ransomware attack halted production at 14 plants.", False),
    ("Cognitive warfare in focus",
     "Japan's revised security strategy will for the first time address cognitive warfare, according to a draft.",
     False),
])
def test_a_headline_naming_the_bodys_phrase_in_short_boosts_it(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# A document only Japan has (the Defense Buildup Program, the three security documents: a name enough on its own)
# under a foreign government's headline noun ("U.S. defense strategy …"), or after its document with nothing of its
# own in its sentence, was that government's, and Japan's revision scored 0 (a11-j02, a11-j64). In a text that never
# names Japan the name stays the headline's government's: these scored 0 before and must still.
@pytest.mark.parametrize("title,text", [
    ("South Korea unveils new defense strategy",
     "The defense ministry said on Tuesday that the three defense documents would be revised next year."),
    ("Taiwan unveils new defense strategy",
     "The ministry released the strategy on Monday. The Defense Buildup Program will be revised to match it."),
    ("韓国、新たな国防戦略を発表", "国防省は、防衛力整備計画を来年改定すると明らかにした。"),
    ("Pentagon releases strategy", "The Pentagon released its National Defense Strategy on Friday. The government, "
                                   "which is revising the National Security Strategy and the Defense Buildup Program, "
                                   "will study the U.S. document."),
])
def test_a_document_only_japan_has_in_a_text_that_never_names_japan_is_the_headlines_governments(topics, title,
                                                                                                text):
    assert not top(title, text, topics).relevant


# ... nor in a text that names Japan only for another story, where the name is another government's plan named loosely:
# a sentence whose subject points back at that government (The ministry / It / 同省は, after its strategy), or a
# document carried over from its strategy in a sentence that names neither Japan nor its government, with no document
# of Japan's before it (Japan named only for its protest or a pact). The change's own reading made each of these
# Japan's (7-8.5).
@pytest.mark.parametrize("title,text", [
    ("韓国国防省、中期計画",
     "韓国国防省は国家防衛戦略を公表した。同国は防衛力整備計画で無人機部隊を拡充する。日韓の防衛相会談は来月開かれる。"),
    pytest.param("台湾、国家防衛戦略を更新", "台湾国防部は国家防衛戦略を更新した。3文書の改定は4年ぶり。日本の与那国島に近い海域での演習も増やす。",
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "no anaphor and no marker in the bare sentence: the neighbours decide, and 台湾国防部 (国防部 is no "
                     "marker) weighs less than 日本の of a place after it; 台湾国防部 as a marker mends it and a9-j2-f2"))),
    ("South Korea releases defense strategy",
     "South Korea's Defense Ministry released its National Defense Strategy on Tuesday. The ministry will "
     "also compile a new Defense Buildup Program by March. Japan's Foreign Ministry protested the "
     "strategy's description of the Takeshima islands."),
    ("Philippines updates defense strategy",
     "The Philippines updated its National Defense Strategy on Thursday. The three defense documents, "
     "including the strategy, will guide the armed forces' shift to external defense, the Department of "
     "National Defense said. Japan and the Philippines signed a reciprocal access agreement last year."),
    ("韓国、国家防衛戦略を発表",
     "韓国国防省は国家防衛戦略を発表した。同省は防衛力整備計画も来年3月までにまとめる。日本政府は竹島に関する記述に抗議した。"),
    (None,
     "The Philippines updated its National Defense Strategy on Thursday. The three defense documents will "
     "guide the military's shift to external defense. Japan and the Philippines signed a reciprocal "
     "access agreement last year."),
])
def test_a_document_only_japan_has_in_a_sentence_pointing_back_at_another_government_is_that_governments(topics,
                                                                                                        title, text):
    assert not top(title, text, topics).relevant


# ... while Japan's revision told after the Pentagon's news stays Japan's: Japan named in its sentence or the next
# (Tokyo, 小泉防衛相), or the anaphor pointing back at Japan's ministry (防衛省は…。同省は…).
@pytest.mark.parametrize("title,text", [
    ("Pentagon releases defense strategy",
     "The Pentagon released its National Defense Strategy on Friday, while Tokyo is revising the Defense "
     "Buildup Program to fund counterstrike missiles."),
    ("Pentagon releases strategy",
     "The Pentagon released its National Defense Strategy on Friday. The Defense Buildup Program will be "
     "revised in December to add funds for missiles. Defense Minister Koizumi said Tokyo would decide "
     "spending on its own."),
    ("米国防総省、国家防衛戦略を公表",
     "米国防総省は国家防衛戦略を公表した。防衛力整備計画は12月に改定される。小泉防衛相は「日本が主体的に判断する」と述べた。"),
    ("米国防総省、新戦略を公表",
     "米国防総省は国家防衛戦略を公表した。防衛省は内容を分析している。同省は年末に防衛力整備計画を改定する。"),
])
def test_a_document_only_japan_has_after_the_pentagons_news_in_a_text_naming_japan_is_japans(topics, title, text):
    assert top(title, text, topics).relevant


def test_the_ministry_pointed_back_at_keeps_its_plan(topics):
    title = "韓国、国家防衛戦略を発表"
    text = "韓国国防省は国家防衛戦略を発表した。同省は防衛力整備計画も来年3月までにまとめる。日本政府は竹島に関する記述に抗議した。"
    assert owners(text, "防衛力整備計画", topics, title=title) == [("KR", "headline")]


# Known gaps the audit found, left open.
@pytest.mark.parametrize("title,text", [
    pytest.param("LDP begins talks on NSS revision",
                 "The LDP's security panel began talks on revising the NSS and two other documents by year-end.",
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "'NSS' is no term: it is also the National Security Secretariat (国家安全保障局), a Japanese "
                     "actor named in stories of every kind; stories spell the strategy out before abbreviating it"))),
])
def test_known_gaps_of_the_audit(topics, title, text):
    assert top(title, text, topics).relevant


# The governments and organisations of the news on security strategies, named as the owner of one the way the news
# names them: by a short form glued to a word of government (比政府, 印首相, 露大統領), a capital or seat of government
# (Canberra, Kyiv, Downing Street, 台北の総統府, 青瓦台, Zhongnanhai), a leader (マルコス政権, Netanyahu) or a demonym
# ("Taiwanese officials"). Unnamed, each was unattributed or lent its 政府/首相 to Japan, and its strategy passed as
# Japan's (6-34.5) or scored as Japan's below the threshold (豪国防相, Zelensky, "Ukraine's new ...": 4.95-5.5).
FOREIGN_OWNERS = [
    ("豪国防相、新戦略を説明", "豪国防相は新たな国家防衛戦略について、北方の防衛を重視すると説明した。", "国家防衛戦略", "AU"),
    ("比政府、国家安保戦略を策定", "比政府は新たな国家安全保障戦略を策定し、南シナ海での抑止力強化を打ち出した。",
     "国家安全保障戦略", "PH"),
    ("比国防省、国家防衛戦略を改定", "比国防省は国家防衛戦略を改定し、海洋防衛を最優先とした。", "国家防衛戦略", "PH"),
    ("マルコス政権、国家安保戦略を改定", "マルコス政権は国家安全保障戦略を改定し、中国の威圧への対処を柱とした。",
     "国家安全保障戦略", "PH"),
    ("英首相、国家安保戦略を発表", "英首相は議会で新たな国家安全保障戦略を発表した。国防費の増額も表明した。",
     "国家安全保障戦略", "UK"),
    ("ドイツ連邦政府、初の国家安保戦略", "ドイツ連邦政府は初の国家安全保障戦略を閣議決定した。ロシアを最大の脅威とした。",
     "国家安全保障戦略", "DE"),
    ("伊政府、国家防衛戦略を改定", "伊政府は国家防衛戦略を改定し、国防費を増やす方針を示した。", "国家防衛戦略", "IT"),
    ("印政府、初の国家安保戦略へ", "印政府は初の国家安全保障戦略の策定を進めている。", "国家安全保障戦略", "IN"),
    ("モディ政権、国家安保戦略を策定へ", "モディ政権は初の国家安全保障戦略を策定する方針だ。", "国家安全保障戦略", "IN"),
    ("露政府、国家安保戦略を改定", "露政府は国家安全保障戦略を改定し、米国を最大の脅威と位置づけた。", "国家安全保障戦略", "RU"),
    ("露大統領、新戦略に署名", "露大統領は改定された国家安全保障戦略に署名した。", "国家安全保障戦略", "RU"),
    ("露国防相、新戦略を説明", "露国防相は新たな国家防衛戦略で北極圏の防衛を重視すると説明した。", "国家防衛戦略", "RU"),
    ("台湾総統府、安保戦略を改定", "台北の総統府は、中国の軍事圧力を踏まえ国家安全保障戦略を改定したと発表した。",
     "国家安全保障戦略", "TW"),
    ("頼政権、国家安保戦略を改定", "頼政権は国家安全保障戦略を改定し、防衛費を増やす方針を示した。", "国家安全保障戦略", "TW"),
    ("加政府、国家防衛戦略を改定", "加政府は国家防衛戦略を改定し、北極圏の防衛を強化する。", "国家防衛戦略", "CA"),
    ("越政府、国防白書を公表", "越政府は国防白書を公表し、国家防衛戦略を改定した。", "国家防衛戦略", "SEA"),
    ("尼政府、国防戦略を改定", "尼政府は国家防衛戦略を改定し、海軍力の増強を打ち出した。", "国家防衛戦略", "SEA"),
    ("イラン、国家防衛戦略を改定", "イランは国家防衛戦略を改定し、ミサイル戦力を増強する方針を示した。", "国家防衛戦略", "OTHER"),
    ("ウクライナ、国家安保戦略を承認", "ウクライナは新たな国家安全保障戦略を承認し、防衛産業の育成を柱に据えた。",
     "国家安全保障戦略", "UA"),
    ("青瓦台、国家安保戦略を発表", "青瓦台は国家安保戦略を発表し、北朝鮮の核への対処を柱とした。", "国家安全保障戦略", "KR"),
    ("ウクライナ政府、新たな国家安保戦略", "ウクライナ政府は新たな国家安全保障戦略を承認した。ロシアを最大の脅威と位置づけた。",
     "国家安全保障戦略", "UA"),
    ("ウクライナの国家安保戦略", "ウクライナ政府の国家安全保障戦略は、防衛産業の育成を柱に据えた。", "国家安全保障戦略", "UA"),
    ("ウクライナ、国家安保戦略を改定", "ウクライナが新たに策定した国家安全保障戦略は、防衛産業の育成を柱に据えた。",
     "国家安全保障戦略", "UA"),
    ("ゼレンスキー氏、国家安保戦略を承認", "ゼレンスキー大統領は新たな国家安全保障戦略を承認する大統領令に署名した。",
     "国家安全保障戦略", "UA"),
    ("Canberra unveils new defence strategy",
     ("Canberra's new National Defence Strategy puts long-range strike first. The National Defence Strategy will be "
      "updated every two years."), "National Defense Strategy", "AU"),
    ("Kyiv approves new security strategy",
     ("Kyiv approved a new National Security Strategy on Monday. The National Security Strategy puts the defense "
      "industry at its heart."), "National Security Strategy", "UA"),
    ("Zelensky signs security strategy",
     ("Zelensky signed a decree enacting the new National Security Strategy on Monday. The strategy puts the defense "
      "industry at its heart."), "National Security Strategy", "UA"),
    ("Ukraine adopts new security strategy",
     "Ukraine's new National Security Strategy puts the defense industry at its heart, officials said on Monday.",
     "National Security Strategy", "UA"),
    ("Downing Street publishes security strategy",
     "Downing Street published a new National Security Strategy on Monday, pledging higher defence spending.",
     "National Security Strategy", "UK"),
    # A British outlet names its government as "the Government", Japan's in a Japanese outlet's English: the UK's
    # strategy passed as Japan's (7.95-15.5) with only the Defence Secretary, MPs and the Commons to say whose it is.
    ("Government to publish National Security Strategy",
     ("The Government will publish a new National Security Strategy this month, the Defence Secretary told MPs, "
      "committing to raise defence spending to 2.5 per cent of GDP."), "National Security Strategy", "UK"),
    # ... and "its" after "the government" is the document of the government its sentence names, not of "the
    # government" itself (weak): the Defence Secretary telling the Commons is the UK's.
    ("Security strategy due this month",
     ("The government will publish its National Security Strategy this month, Defence Secretary John Healey told the "
      "Commons. The Labour government has pledged to raise defence spending to 2.5 per cent of GDP."),
     "National Security Strategy", "UK"),
    ("Whitehall publishes security strategy",
     ("Whitehall published a new National Security Strategy on Monday. The National Security Strategy calls for "
      "higher defence spending."), "National Security Strategy", "UK"),
    ("Marcos approves security strategy",
     ("President Marcos approved a new National Security Strategy on Monday. The National Security Strategy puts "
      "maritime defense first."), "National Security Strategy", "PH"),
    ("Filipino officials unveil security strategy",
     ("Filipino officials unveiled a new National Security Strategy on Monday. The National Security Strategy puts "
      "maritime defense first."), "National Security Strategy", "PH"),
    ("Blue House releases security strategy",
     "The Blue House released its National Security Strategy on Monday, putting deterrence first.",
     "National Security Strategy", "KR"),
    ("Yongsan releases security strategy",
     ("The presidential office in Yongsan released a new National Security Strategy on Monday. The National "
      "Security Strategy puts deterrence first."), "National Security Strategy", "KR"),
    ("Taiwanese officials unveil security strategy",
     ("Taiwanese officials unveiled a new National Security Strategy on Monday. The National Security Strategy calls "
      "for higher defense spending."), "National Security Strategy", "TW"),
    ("Tsai unveils security strategy",
     ("The Tsai administration released a new National Security Strategy on Monday. The National Security Strategy "
      "calls for higher defense spending."), "National Security Strategy", "TW"),
    ("Zhongnanhai approves security strategy",
     ("Zhongnanhai approved a new National Security Strategy on Monday. The National Security Strategy calls for "
      "higher defense spending."), "National Security Strategy", "CN"),
    ("Bundestag debates security strategy",
     ("The Bundestag debated the first National Security Strategy on Wednesday. The strategy calls for defense "
      "spending of 2% of GDP."), "National Security Strategy", "DE"),
    ("Elysee updates strategic review",
     ("The Elysee released an updated National Strategic Review on Monday. The National Security Strategy it sets "
      "out calls for higher defense spending."), "National Security Strategy", "FR"),
    ("DPRK unveils defense strategy",
     ("The DPRK unveiled a new National Defense Strategy, state media said. The National Defense Strategy puts "
      "nuclear forces first."), "National Defense Strategy", "KP"),
    ("Netanyahu approves security strategy",
     ("Netanyahu approved a new National Security Strategy on Sunday. The National Security Strategy calls for higher "
      "defense spending."), "National Security Strategy", "IL"),
    ("Jerusalem approves security strategy",
     ("Jerusalem approved a new National Security Strategy on Sunday, officials said. The strategy calls for higher "
      "defense spending."), "National Security Strategy", "IL"),
    ("Wellington releases security strategy",
     ("Wellington released its first National Security Strategy on Monday. The National Security Strategy calls for "
      "higher defence spending."), "National Security Strategy", "NZ"),
]


@pytest.mark.parametrize("title,text,term,owner", FOREIGN_OWNERS)
def test_each_government_named_as_the_news_names_it_owns_its_strategy(topics, title, text, term, owner):
    assert {o for o, _ in owners(text, term, topics, title)} == {owner}
    assert not top(title, text, topics).relevant


# ... and the same short forms and names where they are something else, in Japan's own stories: the war in Ukraine
# and tensions over Iran as the setting (each a government only right before the document: ウクライナの…, ウクライナは
# 国家安全保障戦略を…, "Ukraine's new ..."; and as ウクライナ政府, Kyiv), 追加 and 参加国 (加 stands for Canada only in
# 加政府 and 加首相), 単独政権 (独 is Germany before 政府, not 政権), 宇宙, GDP比.
@pytest.mark.parametrize("title,text", [
    ("政府、戦略を改定", "ロシアのウクライナ侵攻を踏まえ、政府は国家安全保障戦略を改定した。"),
    ("戦略改定へ議論", "ウクライナ侵攻で、国家安全保障戦略の改定論議が加速した。"),
    ("Japan revises strategy",
     "After the invasion of Ukraine, the National Security Strategy was revised in December, the government said."),
    ("Japan to revise strategy",
     ("Drawing on lessons from Ukraine's defense against Russia, the government will revise the National Security "
      "Strategy by December.")),
    ("拡大ASEAN国防相会議", "木原防衛相は拡大ASEAN国防相会議の参加国防相に、国家防衛戦略の改定を説明した。"),
    ("防衛費を追加計上", "政府は追加の防衛費を計上し、防衛力整備計画を前倒しで見直す。"),
    ("単独政権下の改定", "自民党単独政権の下で、政府は国家安全保障戦略を年内に改定する。"),
    ("宇宙の防衛を強化", "政府は宇宙の防衛力強化を柱に、国家防衛戦略を改定する方針だ。"),
    ("防衛費、GDP比で増額", "対GDP比の防衛費を引き上げるため、政府は防衛力整備計画を見直す。"),
    # A capital where Japan's leader speaks is the venue (a Japanese capital is no marker: キャンベラで went to Australia).
    ("首相、豪首相と会談", "首相はキャンベラでアルバニージー首相と会談し、国家安全保障戦略の改定方針を説明した。"),
    ("Kishida in Brussels", ("At the NATO summit in Brussels, Prime Minister Fumio Kishida said Japan would revise its "
                             "National Security Strategy by the end of the year.")),
    ("Kishida visits Kyiv", "Kishida, visiting Kyiv, said the government would revise the National Security Strategy."),
    ("戦略改定へ議論", "イラン情勢の緊迫化で、国家安全保障戦略の改定論議が加速した。"),
    ("Japan watches Iran",
     "Tokyo is watching Iran closely as it revises its National Security Strategy, officials said."),
])
def test_the_short_forms_elsewhere_leave_japans_stories_japans(topics, title, text):
    assert top(title, text, topics).relevant


# Left: an English capital is the government however it is used, and "In New Delhi, the prime minister said ..." is
# India's. A capital as a venue is no object in English as "with"/"to" are, and "officials in Washington released ..."
# must stay the US's; so the capitals Japan's leaders speak in and that the news seldom uses for a strategy's owner
# (Brussels, Delhi, Hanoi, Jakarta, Kuala Lumpur, Ulaanbaatar) are no markers.
def test_a_capital_named_as_the_venue_is_still_its_government(topics):
    text = "In New Delhi, the prime minister said the National Security Strategy would be revised by December."
    assert owners(text, "National Security Strategy", topics) == [("IN", "sentence")]
    text = "In Hanoi, the prime minister said the National Security Strategy would be revised by December."
    assert top("Japan to revise strategy", text, topics).relevant


# A capital after "in" is where the talks were: it outweighed Japan's possessive subject, and "to his Australian
# counterpart" counted as Australia named plainly (0 before); with no other government named it is still its own.
@pytest.mark.parametrize("title,text,owner", [
    ("Japan, Australia talks", ("At talks in Canberra, Japan's defense minister explained the planned revision of the "
                                "National Security Strategy to his Australian counterpart."), "JP"),
    ("Japan, Australia talks", ("Japan's defense minister explained the planned revision of the National Security "
                                "Strategy to his Australian counterpart in Canberra on Tuesday."), "JP"),
    ("Australia briefs Japan", ("In Tokyo, Australia's defence minister explained the planned revision of the National "
                                "Defence Strategy to his Japanese counterpart."), "AU"),
    ("Pentagon strategy", "Officials in Washington released the National Defense Strategy on Friday.", "US"),
])
def test_a_capital_after_in_is_the_venue_before_it_is_the_owner(topics, title, text, owner):
    term = "National Security Strategy" if "Security" in text else "National Defense Strategy"  # Defence its form
    assert {o for o, _ in owners(text, term, topics)} == {owner}
    assert top(title, text, topics).relevant == (owner == "JP")


# The one briefed is the audience, not the owner of "its": "Japan briefed Australia on its revised ..." went to
# Australia as the nearest government before "its" (0), and "The Pentagon briefed Japan on its new ..." to Japan (7.0).
# One urged or told to revise stays the agent of the revision.
@pytest.mark.parametrize("title,text,relevant", [
    ("Japan briefs Australia", "Japan briefed Australia on its revised National Security Strategy on Monday.", True),
    ("Japan briefs Australia",
     "Japan briefed Australia's defense minister on its revised National Security Strategy on Monday.", True),
    ("Japan briefs Vietnam",
     "Japan will brief Vietnam on its revised National Security Strategy next week, the Foreign Ministry said.", True),
    ("Japan keeps US informed",
     "Tokyo has been informing Washington about its revised National Security Strategy, officials said.", True),
    ("Japan reassures Australia",
     "Japan assured Australia that it would revise its National Security Strategy by December.", True),
    ("Pentagon briefs Tokyo",
     ("The Pentagon briefed Japan on its new National Defense Strategy on Monday. The strategy calls on allies to "
      "raise defense spending."), False),
    ("US urges Japan", "Washington urged Tokyo to revise its National Security Strategy and raise defense spending.",
     True),
])
def test_the_one_briefed_is_not_the_owner_of_its(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# Countries with no actor of their own (and ASEAN), named as the owner the way wire stories name one: the subject of
# the verb that makes the document ("Iran revised its ...", "Kenya on Monday unveiled a new ...", "Chile's government
# revised its ..."). Bare, none is a marker: Iran or Qatar is the setting of Japan's own stories as often ("amid
# tensions with Iran"). Each passed as Japan's (7.45-8.25); the listed ones (Vietnam, Brazil) are for the record.
OTHER_COUNTRIES = [
    ("Iran revises defense strategy",
     ("Iran revised its National Defense Strategy on Monday, putting missiles and drones first. The revised strategy "
      "also calls for higher defense spending, state media said."), "National Defense Strategy", "OTHER"),
    ("Iran unveils defense strategy",
     ("Iran on Sunday unveiled a new National Defense Strategy that gives priority to missile forces. The strategy "
      "raises defense spending, state television reported."), "National Defense Strategy", "OTHER"),
    ("Iranian government revises strategy",
     ("The Iranian government has revised its National Defense Strategy, state media said. The revised strategy "
      "puts missile forces first and raises defense spending."), "National Defense Strategy", "OTHER"),
    ("Kenya unveils security strategy",
     ("Kenya unveiled its new National Security Strategy on Monday, putting counterterrorism first. The strategy "
      "raises defense spending, officials said."), "National Security Strategy", "OTHER"),
    ("Chile revises defense strategy",
     ("Chile's government revised its National Defense Strategy on Monday. The revised strategy calls for higher "
      "defense spending on the navy."), "National Defense Strategy", "OTHER"),
    ("Nepal adopts first security strategy",
     ("Nepal adopted its first National Security Strategy on Monday, officials said. The strategy calls for higher "
      "defense spending."), "National Security Strategy", "OTHER"),
    ("Colombia revises security strategy",
     ("Colombia's new government revised the National Security Strategy on Monday, putting the fight against armed "
      "groups first. The strategy raises defense spending."), "National Security Strategy", "OTHER"),
    ("Qatar overhauls security strategy",
     "Qatar has overhauled its National Security Strategy and will raise defense spending, the emir said on Sunday.",
     "National Security Strategy", "OTHER"),
    # A minister or officials named by the country's possessive or demonym: Iran's was a marker anywhere (see below).
    ("Iran sets missile priorities",
     ("Iran's defense minister said the new National Defense Strategy puts missiles first. The strategy raises defense "
      "spending, he said."), "National Defense Strategy", "OTHER"),
    ("Kenya sets security priorities",
     ("Kenyan officials said the new National Security Strategy puts counterterrorism first. The strategy raises "
      "defense spending."), "National Security Strategy", "OTHER"),
    ("Ukraine adopts new security strategy",
     "Ukraine adopted a new National Security Strategy on Monday. The strategy calls for higher defense spending.",
     "National Security Strategy", "UA"),
    ("ASEAN adopts defense strategy",
     ("ASEAN adopted its first National Defense Strategy at its summit on Tuesday. The strategy calls on members to "
      "raise defense spending."), "National Defense Strategy", "OTHER"),
    ("Vietnam adopts first defense strategy",
     ("Vietnam adopted its first national defense strategy on Tuesday, state media reported. The strategy calls for "
      "a stronger navy and higher defense spending."), "National Defense Strategy", "SEA"),
    ("Brazil updates defense strategy",
     ("Brazil's government updated its national defense strategy on Monday to put the Amazon first. The revised "
      "National Defense Strategy raises defense spending."), "National Defense Strategy", "OTHER"),
    # In Japanese, with a word of government (ケニア政府, イラン大統領) or as the subject right before the document (ケニア
    # は, カタールが), its date and its official between (ケニアは2日、, ケニアのルト大統領は): 8-34.5.
    ("ケニア、国家安保戦略を改定", "ケニアは国家安全保障戦略を改定し、テロ対策を最優先とした。防衛費も増やす。",
     "国家安全保障戦略", "OTHER"),
    ("ケニア、国家安保戦略を改定", "ケニアは2日、国家安全保障戦略を改定した。テロ対策を最優先とし、防衛費も増やす。",
     "国家安全保障戦略", "OTHER"),
    ("ケニア、国家安保戦略を改定", "ケニアは、国家安全保障戦略を改定した。テロ対策を最優先とし、防衛費も増やす。",
     "国家安全保障戦略", "OTHER"),
    ("ケニア政府、国家安保戦略を改定", "ケニア政府は2日、国家安全保障戦略を改定し、テロ対策を最優先とした。防衛費も増やす。",
     "国家安全保障戦略", "OTHER"),
    ("ケニア大統領、新戦略を承認", "ケニアのルト大統領は2日、新たな国家安全保障戦略を承認した。防衛費も増やす。",
     "国家安全保障戦略", "OTHER"),
    ("チリ、国防戦略を公表", "チリ政府は新たな国家防衛戦略を公表した。防衛費の増額も盛り込んだ。", "国家防衛戦略", "OTHER"),
    ("カタール、安保戦略を改定", "カタールが国家安全保障戦略を改定した。防衛費を増やす方針だ。", "国家安全保障戦略", "OTHER"),
    ("イラン、国防戦略を改定", "イラン大統領は国家防衛戦略を改定したと発表した。ミサイル戦力を増強する。", "国家防衛戦略",
     "OTHER"),
]


@pytest.mark.parametrize("title,text,term,owner", OTHER_COUNTRIES)
def test_a_country_with_no_actor_owns_the_strategy_it_makes(topics, title, text, term, owner):
    assert {o for o, _ in owners(text, term, topics)} == {owner}
    assert not top(title, text, topics).relevant


def test_a_name_is_a_marker_only_with_its_word_of_government():
    """Names are forms of the markers' one trie, each checked for the word after it where found (pairs listed made
    loading seconds long): the pair is one marker of the name's owner; a name alone is none, and yields its place to a
    shorter marker starting there or to one right after it."""
    from crawler.attribution import load_attributor

    attributor = load_attributor({
        "institutions": ["政府"], "english_institutions": ["defense minister"],
        "actors": {"A": {"markers": ["ノース", "Eastland", "ランド"]},
                   "B": {"names": ["ノースランド", "Westland"], "demonyms": ["Westlandic"]}}})

    def found(text):
        return [(m.text, m.owner) for m in attributor.markers(text)]

    assert found("ノースランド政府は") == [("ノースランド政府", "B")]
    assert found("ノースランドは") == [("ノース", "A"), ("ランド", "A")]
    assert found("Westland's defense minister and Eastland") == [("Westland's defense minister", "B"), ("Eastland", "A")]
    assert found("Westland's Defense Minister said") == [("Westland's Defense Minister", "B")]
    assert found("the Westlandic defense minister") == [("Westlandic defense minister", "B")]
    assert found("after Westland's missile strikes, Eastland") == [("Eastland", "A")]
    assert found("Westlandic ranks") == []


# ... and the same countries and ASEAN as the setting, venue or audience of Japan's revision: named, they are not the
# subject of the verb that makes it.
@pytest.mark.parametrize("title,text", [
    ("Japan revises strategy amid Iran tensions",
     "Amid tensions with Iran, Japan revised its National Security Strategy on Friday, putting missile defense first."),
    ("Iran tensions push Japan to rethink",
     "Iran tensions pushed Japan to revise its National Security Strategy a year early, officials said."),
    # Iran's was a marker anywhere, and as the only one of its sentence it took Japan's revision (0).
    ("Japan to revise strategy",
     ("After Iran's missile strikes on Israel, the government said it would revise the National Security Strategy by "
      "December, putting missile defense first.")),
    ("Kishida visits Kenya",
     "Visiting Kenya, Prime Minister Kishida said Japan would revise its National Security Strategy by December."),
    ("Kishida meets Chilean president",
     "Kishida told Chile's president that Japan would revise its National Security Strategy by the end of the year."),
    ("Japan, Qatar deepen ties",
     ("Japan and Qatar agreed to deepen defense ties on Monday as Tokyo revises its National Security Strategy, "
      "officials said.")),
    ("Japan briefs Kenya", "Japan briefed Kenya on its revised National Security Strategy on Monday, officials said."),
    ("Japan briefs Iran", "Japan briefed Iranian officials on its revised National Security Strategy on Monday."),
    ("Japan to brief ASEAN",
     ("Japan will brief ASEAN members on its revised National Security Strategy next week, the Foreign Ministry said. "
      "Tokyo wants Southeast Asian support for its defense buildup.")),
    ("Japan explains strategy to ASEAN",
     ("Japan explained its revised National Security Strategy to ASEAN on Tuesday, seeking support for higher defense "
      "spending.")),
    ("ASEAN welcomes Japan's strategy",
     "ASEAN welcomed Japan's revised National Security Strategy on Tuesday. The strategy raises defense spending."),
    ("戦略改定へ", "イラン情勢を踏まえ、政府は国家安全保障戦略を改定する方針だ。防衛費も増やす。"),
    ("戦略改定へ", "イランは核開発を続けており、政府は国家安全保障戦略の改定でミサイル防衛を強化する。"),
    ("首相、ケニア訪問", "ケニアを訪問中の首相は、国家安全保障戦略の改定方針を説明した。防衛費の増額にも触れた。"),
    ("首相、ケニア大統領と会談", "首相はナイロビでケニアの大統領と会談し、国家安全保障戦略の改定を説明した。"),
    ("中東情勢と戦略改定", "カタールなど中東情勢の緊迫化を受け、政府は国家防衛戦略を見直す。防衛費も増やす方針だ。"),
    ("APECで表明", "チリで開かれたAPEC首脳会議で、首相は国家安全保障戦略を改定すると表明した。"),
    ("ASEANに説明", "政府はASEAN各国に改定した国家安全保障戦略を説明した。防衛費の増額にも理解を求めた。"),
    ("首相、中東歴訪", "首相はイラン大統領との会談で、国家安全保障戦略の改定に理解を求めた。"),
    # A country reacting to Japan's strategy: the topic with its date, a comma or its ministry is no prefix unless the
    # clause makes the document (4.75 as Iran's while it was one).
    ("イラン、日本の安保戦略に反発", "イラン外務省は2日、国家安全保障戦略について「根拠がない」と反発した。防衛費の増額も批判した。"),
    ("イラン、日本の安保戦略に反発",
     "イランは2日、国家安全保障戦略で自国が懸念と位置づけられたことに反発した。防衛費の増額も批判した。"),
    ("中東情勢と戦略", "イランは、国家安全保障戦略で懸念国と位置づけられた。政府は防衛費も増やす。"),
    ("戦略改定へ", "イラン情勢を踏まえ、政府は国家安全保障戦略を改定する方針だ。防衛費も増やす。"),
    ("戦略改定へ", "イランは核開発を続けており、政府は国家安全保障戦略の改定でミサイル防衛を強化する。"),
    ("首相、ケニア訪問", "ケニアを訪問中の首相は、国家安全保障戦略の改定方針を説明した。防衛費の増額にも触れた。"),
    ("首相、ケニア大統領と会談", "首相はナイロビでケニアの大統領と会談し、国家安全保障戦略の改定を説明した。"),
    ("中東情勢と戦略改定", "カタールなど中東情勢の緊迫化を受け、政府は国家防衛戦略を見直す。防衛費も増やす方針だ。"),
    ("APECで表明", "チリで開かれたAPEC首脳会議で、首相は国家安全保障戦略を改定すると表明した。"),
    ("ASEANに説明", "政府はASEAN各国に改定した国家安全保障戦略を説明した。防衛費の増額にも理解を求めた。"),
])
def test_a_country_as_the_setting_or_audience_leaves_japans_revision_japans(topics, title, text):
    assert top(title, text, topics).relevant


# A place named with a government's marker in it names no government (crawler/actors.toml, `places`): in each of these
# the marker inside the place made a term India's, China's or South Korea's (two scored 0, the others lost their title
# boost or a term).
@pytest.mark.parametrize("title,text", [
    ("3文書改定へ、インド太平洋重視", "政府は安保3文書を年内に改定する。「自由で開かれたインド太平洋」の実現を柱の一つに据える方針だ。"),
    ("反撃能力の部隊、配置先を説明", "中国四国防衛局は12日、反撃能力を担う部隊の配置について地元の自治体に説明した。"),
    ("長射程ミサイル、中国地方にも", "防衛省は長射程ミサイルを中国地方の駐屯地にも配備する。反撃能力の整備を前倒しする。"),
    ("Counterstrike missiles for southwest islands",
     "Counterstrike missiles will guard remote islands in the East China Sea, the Defense Ministry said on Monday."),
    ("Tomahawks arrive",
     "Tomahawk missiles arrived to deter threats on the Korean Peninsula. They are the core of the counterstrike capability."),
])
def test_a_place_named_with_a_government_in_it_leaves_japans_revision_japans(topics, title, text):
    score = top(title, text, topics)
    assert score.relevant
    assert {o.owner for m in score.matches for o in m.owners} <= {"JP", None}, score.matches


# Spellings of the policies that no term spelled (each 0 or 3 before): the share of GDP with で, in words, spelled out as
# NHK writes it; the enemy bases with への; the capability by what it fires or another noun; the set by another name.
@pytest.mark.parametrize("title,text", [
    ("首相、目標の前倒しを表明", "首相は、防衛費と関連経費を合わせてGDP比で2%とする目標を今年度中に達成すると述べた。"),
    ("首相、目標の前倒しを表明", "首相は、防衛費と関連経費をGDP＝国内総生産の2%とする目標を今年度中に達成すると述べた。"),
    ("首相、目標の前倒しを表明", "首相は、防衛費と関連経費を合わせて国内総生産の2パーセントとする目標を今年度中に達成すると述べた。"),
    ("首相、目標の前倒しを表明", "首相は、防衛費と関連経費を合わせてGDP比2パーセントとする目標を今年度中に達成すると述べた。"),
    ("敵基地への攻撃能力を明記", "政府は敵基地への攻撃能力の保有を明記する方向で調整に入った。"),
    ("Japan to rewrite three strategy documents", "Japan will rewrite its three strategy documents by next year, the minister said."),
    ("Counterstrike missiles by March", "Japan will field counterstrike missiles by March, a year early, officials said."),
    ("Japan's counter-strike ability", "Japan's counter-strike ability takes shape this year with upgraded Type-12 missiles."),
])
def test_the_policies_in_other_spellings_are_relevant(topics, title, text):
    assert top(title, text, topics).relevant


# A field's security or a facility's plan read as the documents' phrasing, and a company by its trade or with the
# country in its name as Japan: each headline scored 15-16 before, as a revision of the documents.
@pytest.mark.parametrize("title,text", [
    ("政府、防衛施設周辺の防音工事計画を見直し", "政府は防衛施設周辺の住宅防音工事の計画を見直し、補助の対象地域を広げる。"),
    ("安全保障貿易管理の計画見直し", "政府は安全保障貿易管理の運用計画を見直し、先端半導体の輸出審査を厳しくする。"),
    ("Japan revises nuclear security plan",
     "Japan revised its nuclear security plan for power plants after a guard's pass was misused."),
    ("Japanese automaker to revise security plan",
     "A Japanese automaker said it would revise its security plan after a cyberattack stopped its plants."),
    ("Japan Airlines updates security plan",
     "Japan Airlines updated its security plan for the Expo, adding staff at the airports."),
])
def test_a_fields_security_or_a_companys_plan_is_not_the_documents(topics, title, text):
    assert not top(title, text, topics).relevant


# A team's "counterattack capability" in a match report (6 and 8 before), and the buildup's financing from the state's
# settlement surplus, whose 決算 was a company's earnings (2 before).
@pytest.mark.parametrize("title,text,relevant", [
    ("Japan's counterattack capability sinks Spain",
     "Japan beat Spain 2-1 in Saturday's friendly, scoring twice on the break in the second half.", False),
    ("Brave Blossoms' counterattack", ("The Brave Blossoms' counterattack capability was on show as they ran in four tries "
                                       "against Samoa. Their counterattack capabilities have grown since spring."), False),
    ("防衛財源に決算剰余金", "政府は防衛力強化の財源として、前年度の決算剰余金の一部を充てる方針を固めた。", True),
])
def test_a_match_report_and_the_buildups_financing(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


# A headline's context words were boosted as a core term is: 防衛相 and 自衛隊 there made 3, a second core term's
# worth, beside one mention of the buildup (6.0, relevant).
@pytest.mark.parametrize("title,text", [
    ("防衛相、自衛隊の駐屯地を視察", "防衛相は駐屯地で隊員を激励し、「防衛力の強化を着実に進める」と述べた。"),
    ("Defense minister visits SDF base",
     "The defense minister encouraged troops at the base and said Japan would pursue its defense buildup."),
])
def test_context_words_in_a_headline_are_no_second_core_term(topics, title, text):
    assert not top(title, text, topics).relevant


# Japan's document as the yardstick of another government's own, in a story that government heads (6.0 and 6.5
# before: the Buildup Program alone, attributed to Japan, reached the threshold); Japan's own story is not touched.
@pytest.mark.parametrize("title,text,relevant", [
    ("韓国、国防中期計画を発表", "韓国国防省は国防中期計画を発表した。日本の防衛力整備計画に相当するもので、5年間で約350兆ウォンを投じる。",
     False),
    ("韓国、国防中期計画を発表", "韓国国防省は国防中期計画を発表した。日本の防衛力整備計画と同様に、5年間の総額を示した。", False),
    ("South Korea unveils defense plan",
     "South Korea unveiled a five-year defense plan similar to Japan's Defense Buildup Program, officials in Seoul said.",
     False),
    ("防衛力整備計画を改定へ", "政府は防衛力整備計画を前倒しで改定する。2022年の改定と同様に、総額を示す方針だ。", True),
])
def test_japans_document_as_the_yardstick_of_another_governments_is_not_news_of_it(topics, title, text, relevant):
    assert top(title, text, topics).relevant is relevant


def test_a_place_hides_the_marker_inside_it_and_a_longer_marker_still_wins():
    from crawler.attribution import load_attributor

    attributor = load_attributor()

    def found(text):
        return [(m.text, m.owner) for m in attributor.markers(text)]

    assert found("中国地方の駐屯地とインド太平洋") == []
    assert found("中国地方政府の債務") == [("中国地方政府", "CN")]
    assert found("China's ships in the East China Sea") == [("China's", "CN")]
    assert found("South Korea and the Korean Peninsula") == [("South Korea", "KR")]


def test_topic_is_null_when_nothing_matched(topics):
    fields = score_fields("大谷翔平、今季1号", "エンゼルスの大谷翔平が今季1号のソロ本塁打を放った。", topics)
    assert fields == {"topic": None, "score": 0.0, "relevant": 0, "matched_terms": [], "threshold": None}
    # Menu words alone are not a match either.
    assert score_fields("政治", "防衛 安全保障 自衛隊", topics)["topic"] is None


# --- The labelled set -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def cases():
    return load()


def test_the_labelled_set_covers_both_languages_and_every_family(cases):
    assert len(cases) >= 150 and len({c.id for c in cases}) == len(cases)
    families = {c.family for c in cases}
    assert {"foreign-us", "foreign-ru", "foreign-cn", "foreign-nato", "foreign-kr", "foreign-au",
            "whitepaper-relief", "equipment-export", "economic-security", "food-security", "title-defense",
            "self-defense-law", "sdf-relief", "mod-scandal", "corporate", "nk-launch", "wire-short",
            "jp-structure", "ordinary"} <= families
    for lang in ("ja", "en"):
        assert sum(c.label for c in cases if c.lang == lang) >= 20
        assert sum(1 - c.label for c in cases if c.lang == lang and c.family != "ordinary") >= 20
    assert all(c.title and c.text and c.source for c in cases if c.family != "ordinary")


def test_the_rules_meet_the_floors_on_the_labelled_set(cases, topics):
    report = evaluate(cases, rules_decisions(cases, topics))
    assert report.recall >= 0.97, report.missed
    assert report.precision >= 0.95, report.passed
    low = {f: r["precision"] for f, r in report.families.items() if r.get("precision", 1.0) < 0.9}
    assert low == {}
    assert report.foreign_passed * 20 <= report.foreign_total, report.passed


def test_the_held_out_set_is_apart_from_the_development_set(cases):
    # Its figures mean something only if no case of it, nor the article it was written from, is
    # one the rules were tuned on.
    heldout = load_heldout()
    assert len(heldout) == len({c.id for c in heldout}) >= 90
    assert not {c.id for c in heldout} & {c.id for c in cases}
    assert not {c.source for c in heldout} & {c.source for c in cases}
    for lang in ("ja", "en"):
        assert sum(c.label for c in heldout if c.lang == lang) >= 15
        assert sum(1 - c.label for c in heldout if c.lang == lang and c.family != "ordinary") >= 15


def test_the_rules_meet_the_floors_on_the_held_out_set(topics):
    # Lower floors than the development set's: these are news the rules were not made on, and a
    # change that costs two of its cases says so here before any analyst meets it.
    heldout = load_heldout()
    report = evaluate(heldout, rules_decisions(heldout, topics))
    assert report.recall >= 0.94, report.missed
    assert report.precision >= 0.94, report.passed
    assert report.foreign_passed * 10 <= report.foreign_total, report.passed


def test_the_held_out_listings_meet_their_floors(cases, topics):
    # A headline, with its feed's summary or alone, is all `newsmon status` has of an article it
    # could not read: what it misses there, no one is told of. First measured at recall 0.812
    # (a headline alone 10 of 16), precision 0.963; 0.862 and 0.963 on the 77 left once three cases
    # were moved to the development tests by the changes they led to (heldout.md).
    listings = load_heldout_listings()
    assert len(listings) == len({c.id for c in listings}) >= 77
    assert not {c.source for c in listings} & ({c.source for c in cases} | {c.source for c in load_heldout()})
    report = evaluate(listings, rules_decisions(listings, topics))
    assert report.recall >= 0.83, report.missed
    assert report.precision >= 0.9, report.passed
    assert report.foreign_passed == 0, report.passed
    with_summary = [c for c in listings if c.label and c.text]
    assert all(rules_decisions(tuple(with_summary), topics).values())


def test_the_calibration_pages_keep_their_places(cases, topics):
    # The Nikkei 反撃能力 article scores highest of the saved pages; the seed NSS article is relevant.
    saved = [c for c in cases if c.id.startswith("saved:")]
    ranked = sorted(saved, key=lambda c: -top(c.title, c.text, topics).score)
    assert ranked[0].id == "saved:scrapping-webs/nikkei-test_article_1.html"
    assert top(*next((c.title, c.text) for c in saved if c.id == "saved:seed-article.txt"), topics).relevant


def test_sixty_decisions_put_the_positives_in_the_top_half(cases, topics):
    # A reviewer who has decided 30 relevant and 30 dismissed: the model orders the rest.
    rng = random.Random(7)
    positives = [c for c in cases if c.label]
    negatives = [c for c in cases if not c.label]
    train = rng.sample(positives, 30) + rng.sample(negatives, 30)
    rest = [c for c in cases if c not in train]

    def rows(group):
        out = []
        for c in group:
            fields = score_fields(c.title, c.text, topics)
            out.append({"title": c.title, "text": c.text, **fields})
        return out

    data = [relevance.Example(relevance.classifier_text(r["title"], r["text"]),
                              relevance.rule_features(r["score"], r["threshold"], r["matched_terms"]), c.label)
            for r, c in zip(rows(train), train)]
    model = relevance.RelevanceModel().fit([d.text for d in data], [d.rules for d in data], [d.label for d in data])
    held = rows(rest)
    probabilities = model.predict([relevance.classifier_text(r["title"], r["text"]) for r in held],
                                  [relevance.rule_features(r["score"], r["threshold"], r["matched_terms"])
                                   for r in held])
    assert top_half_share(probabilities, [c.label for c in rest]) >= 0.95


# --- newsmon learn / explain / rescore / status, as real processes ------------------------------

def newsmon(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, timeout=300,
                            text=True)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory, cases, topics):
    """A database of the written cases, 32 relevant and 32 dismissed of them decided."""
    path = tmp_path_factory.mktemp("learn") / "news.db"
    db = open_db(path)
    written = [c for c in cases if not c.id.startswith("saved:")]
    decided = {c.id for c in [c for c in written if c.label][:32] + [c for c in written if not c.label][:32]}
    ids = {}
    for i, c in enumerate(written):
        record = {"url": f"https://news.example.jp/{i}", "title": c.title, "text": c.text, "outlet": "example",
                  "language": c.lang, **score_fields(c.title, c.text, topics)}
        ids[c.id], _ = queries.save_article(db, record)
        if c.id in decided:
            queries.set_status(db, ids[c.id], "relevant" if c.label else "dismissed", by="test")
    db.close()
    return path, ids


@pytest.fixture(scope="module")
def learned(reviewed):
    """``reviewed`` after one ``newsmon learn`` (a model trained on its 64 decisions), and what
    learn said: each test that reads the model gets it here, run alone or in any order."""
    path, ids = reviewed
    return path, ids, newsmon("learn", "--db", str(path))


def test_learn_trains_on_the_decisions_and_fills_the_lanes(learned):
    path, ids, result = learned
    assert result.returncode == 0, result.stderr
    assert "model 1 trained on 64 decisions (32 relevant, 32 dismissed)" in result.stdout
    assert "cross-validated (5 folds) precision" in result.stdout
    conn = sqlite3.connect(path)
    try:
        model = conn.execute("SELECT topic, positives, negatives, cv_precision, cv_recall, library, length(model) "
                             "FROM relevance_models").fetchall()
        assert len(model) == 1 and model[0][:3] == (TOPIC, 32, 32)
        assert 0 < model[0][3] <= 1 and 0 < model[0][4] <= 1 and model[0][5].startswith("scikit-learn")
        queue = conn.execute("SELECT probability, threshold FROM review_queue").fetchall()
        assert queue and all(p is not None and t == 6.0 for p, t in queue)
        assert [p for p, _ in queue] == sorted((p for p, _ in queue), reverse=True)
        # The maybe-missed lane has the queue's columns and only articles under the threshold.
        lane = conn.execute("SELECT score, threshold, probability, flag FROM maybe_missed").fetchall()
        assert all(s < t and p >= relevance.MAYBE_MISSED and f == "maybe-missed" for s, t, p, f in lane)
        # What learn says it flagged is what the lanes hold (reviewed articles are in none): it counted
        # every flag, "1 maybe missed" where the lane and status said 0.
        said = re.search(r"(\d+) maybe missed, (\d+) likely false positives", result.stdout)
        flagged = dict(conn.execute("SELECT relevance_flag, count(*) FROM articles WHERE status = 'new' "
                                    "AND relevance_flag IS NOT NULL GROUP BY relevance_flag").fetchall())
        assert said and (int(said[1]), int(said[2])) == (
            len(lane), flagged.get("likely-false-positive", 0)), (result.stdout, flagged)
    finally:
        conn.close()
    status = newsmon("status", "--db", str(path))
    assert status.returncode == 0
    assert f"classifier {TOPIC}: trained" in status.stdout and "on 64 decisions" in status.stdout


def test_a_reviewed_article_the_model_flags_is_counted_in_no_lane(learned, tmp_path, monkeypatch):
    # learn and rescore counted every flag: "1 maybe missed" of an article already reviewed, where
    # the lane, status and the desk said 0. (Every article flagged here, as a model could.)
    path, _, _ = learned
    copy = tmp_path / "news.db"
    shutil.copy(path, copy)
    monkeypatch.setattr(relevance, "classify", lambda rows, models: [(r["id"], 0.9, 1, "maybe-missed") for r in rows])
    db = open_db(copy)
    try:
        counts = relevance.apply(db, models={"x": None})
        new, total = db.execute("SELECT sum(status = 'new'), count(*) FROM articles").fetchone()
        assert new < total and counts == {"classified": total, "maybe-missed": new, "likely-false-positive": 0}
    finally:
        db.close()


def test_explain_prints_the_trace_with_attribution_and_probability(learned):
    path, ids, _ = learned
    result = newsmon("explain", str(ids["ja-neg-us-001"]), "--db", str(path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "score 0.0 / threshold 6.0: not relevant" in out
    assert "国家安全保障戦略 ×2 [foreign] — US (トランプ" in out and "probability 0." in out
    as_json = json.loads(newsmon("explain", str(ids["ja-pos-001"]), "--db", str(path), "--json").stdout)
    top_topic = as_json["topics"][0]
    assert as_json["best"] == TOPIC and top_topic["relevant"] and top_topic["threshold"] == 6.0
    assert top_topic["probability"] is not None and top_topic["probability"] > 0.5
    kinds = {m["kind"] for m in top_topic["matches"]}
    assert {"core", "structure", "context"} <= kinds
    missing = newsmon("explain", "999999", "--db", str(path))
    assert missing.returncode == 1 and "no article has id 999999" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_rescore_keeps_the_models_probabilities(learned, tmp_path):
    path = tmp_path / "copy.db"  # the other tests read the database as learn left it
    shutil.copy(learned[0], path)
    result = newsmon("rescore", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert "classifier:" in result.stdout and "articles rated" in result.stdout
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM articles WHERE topic IS NOT NULL AND relevance_p IS NULL"
                            ).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM articles WHERE topic IS NULL AND score != 0").fetchone()[0] == 0
    finally:
        conn.close()


def test_cold_start_stays_on_the_rules(tmp_path, topics):
    path = tmp_path / "cold.db"
    db = open_db(path)
    for i, (title, status) in enumerate([("安保3文書を改定", "relevant"), ("米国家安全保障戦略", "dismissed")]):
        record = {"url": f"https://news.example.jp/{i}", "title": title, "text": title,
                  **score_fields(title, title, topics)}
        article_id, _ = queries.save_article(db, record)
        queries.set_status(db, article_id, status)
    db.close()
    result = newsmon("learn", "--db", str(path))
    assert result.returncode == 0
    assert "rules only (cold start): 1 relevant/follow-up and 1 dismissed decisions, 30 of each needed" in result.stdout
    assert "classifier: rules only (cold start)" in newsmon("status", "--db", str(path)).stdout
    assert newsmon("learn", "--db", str(path), "--min-decisions", "1").returncode == 2


def test_a_stored_model_is_data_and_predicts_the_same():
    """Models are stored as JSON, not pickles: a database file from someone else runs no code."""
    import pickle
    import sqlite3

    from crawler.relevance import RelevanceModel

    texts = ["政府は安保3文書を改定した", "反撃能力の保有を閣議決定", "The government revised its security strategy",
             "きょうの天気は晴れ", "プロ野球の試合結果", "A recipe for hydrangea care"]
    rules = [[1.0] * 3 + [0.0] * 5] * 3 + [[0.0] * 8] * 3
    model = RelevanceModel().fit(texts, rules, [1, 1, 1, 0, 0, 0])
    again = RelevanceModel.from_bytes(model.to_bytes())
    probe = ["安保3文書の改定作業", "明日の天気"]
    assert again.predict(probe, rules[:2]) == pytest.approx(model.predict(probe, rules[:2]), abs=1e-6)
    with pytest.raises(ValueError, match="not a stored newsmon model"):
        RelevanceModel.from_bytes(pickle.dumps(model))
    with pytest.raises(ValueError):
        RelevanceModel.from_bytes(sqlite3.Binary(b"garbage"))


def test_an_updated_article_is_rated_on_its_new_text(learned, tmp_path, cases, topics):
    # A revisit's new version is scored again by the rules; the classifier's probability and
    # flag must follow, or the queue is ordered (and "maybe missed" flagged) by the old text.
    path, ids, _ = learned
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    db = open_db(copy)
    assert relevance.current_models(db), "newsmon learn trained no model"
    article_id = ids["ja-pos-001"]
    before = db["articles"].get(article_id)["relevance_p"]
    other = next(c for c in cases if c.id == "ja-neg-us-001")
    record = {"url": f"https://news.example.jp/{article_id}", "title": other.title, "text": other.text,
              "outlet": "example", "language": "ja", **score_fields(other.title, other.text, topics)}
    expected = dict(record)
    relevance.annotate(db, expected)
    done = store.save_revisit(db, url=record["url"], article_id=article_id, body=b"<html></html>",
                              record=record, opts=store.Options(stories=False))
    assert done.changed
    after = db["articles"].get(article_id)
    assert after["relevance_p"] == expected["relevance_p"] != before
    assert after["relevance_flag"] == expected["relevance_flag"]
    db.close()


def test_explain_reads_the_stored_model_once_per_connection(tmp_path, topics, monkeypatch):
    # The article page explains on every view: rebuilding the model from its blob each time
    # costs ~190 ms at an 80k vocabulary. It is read again only when a newer one is stored.
    db = open_db(tmp_path / "explain.db")
    title, text = "政府、安保3文書を改定", "政府は安保3文書を改定し、反撃能力の保有を明記した。"
    article_id, _ = queries.save_article(db, {"url": "https://news.example.jp/1", "title": title, "text": text,
                                              **score_fields(title, text, topics)})
    texts = ["政府は安保3文書を改定した", "反撃能力の保有を閣議決定", "The government revised its security strategy",
             "きょうの天気は晴れ", "プロ野球の試合結果", "A recipe for hydrangea care"]
    rules = [[1.0] * 3 + [0.0] * 5] * 3 + [[0.0] * 8] * 3

    def store_model(labels: list[int]) -> int:
        model = relevance.RelevanceModel().fit(texts, rules, labels)
        return queries.save_model(db, {"topic": TOPIC, "trained_at": "2026-01-01T00:00:00+00:00", "positives": 3,
                                       "negatives": 3, "cutoff": 0.5, "flag_below": 0.2, "features": "test",
                                       "library": "test", "model": model.to_bytes()})

    first = store_model([1, 1, 1, 0, 0, 0])
    loads = []
    from_bytes = relevance.RelevanceModel.from_bytes
    monkeypatch.setattr(relevance.RelevanceModel, "from_bytes",
                        staticmethod(lambda blob: loads.append(1) or from_bytes(blob)))
    traces = [relevance.explain_article(db, article_id, topics) for _ in range(3)]
    assert len(loads) == 1
    assert traces[0] == traces[1] == traces[2]
    assert traces[0]["topics"][0]["model"]["id"] == first and traces[0]["topics"][0]["probability"] is not None
    newer = store_model([0, 0, 0, 1, 1, 1])  # a newer model is used from the next view on
    assert relevance.explain_article(db, article_id, topics)["topics"][0]["model"]["id"] == newer
    assert len(loads) == 2
    db.close()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_learn_stopped_as_it_rates_says_which_model_it_stored_and_how_far_it_rated(reviewed, tmp_path, signum):
    # "newsmon: learn stopped (Ctrl-C)" alone, where a model was stored and a part of the articles rated with it.
    from .test_ingest_rescore import _copies, _ctrl_c_when, count

    db = str(tmp_path / "news.db")
    shutil.copy(reviewed[0], db)
    decided = count(db, "select max(id) from articles")
    _copies(db, 150)  # undecided copies: seconds to rate
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE articles SET status = 'new' WHERE id > ?", [decided])
        # As before any `newsmon learn` (the module's `learned` may have run one on ``reviewed``)
        conn.execute("UPDATE articles SET relevance_p = NULL, relevance_model_id = NULL, relevance_flag = NULL")
        before = conn.execute("SELECT coalesce(max(id), 0) FROM relevance_models").fetchone()[0]
    code, stderr = _ctrl_c_when([sys.executable, "-m", "crawler.cli", "learn", "--db", db],
                                lambda process: count(db, "select coalesce(max(id), 0) from relevance_models") > before,
                                signum=signum, group=signum == signal.SIGINT)
    how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    model = count(db, "select max(id) from relevance_models")
    rated = count(db, "select count(*) from articles where relevance_model_id = ?", model)
    to_rate = count(db, "select count(*) from articles where topic = ?", "defense-strategy")
    assert code == 128 + signum, stderr[-3000:]
    assert rated < to_rate
    assert stderr.strip().splitlines()[-1] == (
        f"newsmon: learn stopped ({how}) after it stored model {model} (defense-strategy) and rated {rated:,} of the "
        f"{to_rate:,} articles it reads, each batch done stored; the others keep their earlier rating: run "
        f"`newsmon learn --db {db}` again to rate them all (it trains anew on the decisions)")
    assert newsmon("learn", "--db", db).returncode == 0
    assert count(db, "select count(*) from articles where relevance_model_id = ?", model + 1) == to_rate


def test_learn_stopped_as_it_prints_says_what_it_stored(reviewed, tmp_path):
    # Its model stored and every article rated, stopped as it printed (its standard output a pipe not read, a
    # terminal paused with Ctrl-S): "learn stopped (Ctrl-C) before it stored a model; nothing was changed".
    import os
    import time

    from .test_ingest_rescore import count

    db = str(tmp_path / "news.db")
    shutil.copy(reviewed[0], db)
    before = count(db, "select coalesce(max(id), 0) from relevance_models")
    out = str(tmp_path / "out")
    os.mkfifo(out)
    reader = os.open(out, os.O_RDONLY | os.O_NONBLOCK)
    writer = os.open(out, os.O_WRONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(BlockingIOError):
            while True:
                os.write(writer, b"x" * 4096)  # the pipe full: learn's first line waits for a reader
        os.set_blocking(writer, True)
        process = subprocess.Popen([sys.executable, "-m", "crawler.cli", "learn", "--db", db], stdout=writer,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)

        def rated() -> bool:
            try:
                model = count(db, "select coalesce(max(id), 0) from relevance_models")
                return model > before and count(db, "select count(*) from articles where relevance_model_id = ?",
                                                model) == count(db, "select count(*) from articles where topic = ?",
                                                                "defense-strategy")
            except sqlite3.OperationalError:  # locked as it writes
                return False

        try:
            while process.poll() is None and not rated():
                time.sleep(0.02)
            assert process.poll() is None, process.communicate()[1]
            os.killpg(process.pid, signal.SIGINT)
            stderr = process.communicate(timeout=120)[1]
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    finally:
        os.close(writer)
        os.close(reader)
    assert process.returncode == 130, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == (
        f"newsmon: learn stopped (Ctrl-C) after it stored model {before + 1} (defense-strategy) and rated every "
        "article it reads with it: nothing is left")
