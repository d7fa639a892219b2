"""The app's CSS on top of the theme: the recall card, the marked quiz answers, the sidebar's
current unit, readable small text, code that scrolls, and the phone layout.

Colours are picked for WCAG AA (4.5:1 for text under 18.66 px bold / 24 px) on the
backgrounds they sit on: white (#FFFFFF) and the theme's secondary background
(#F4F1FD). Measured contrasts are in the comments; tests/browser/test_study_a11y.py
checks the computed styles in Chromium.
"""

from __future__ import annotations

import streamlit as st

MUTED_INK = "#4A4560"  # captions: 8.9:1 on white, 8.1:1 on #F4F1FD (Streamlit's faded caption is 4.3:1)
PHONE = "max-width: 640px"  # Streamlit stacks columns below this width

CSS = """
<style>
:root { --studyapp-current-bg: rgba(108, 76, 224, .16); --studyapp-muted: %(muted)s; }

/* Small grey text at AA: captions, widget help, metric labels. */
[data-testid="stCaptionContainer"], [data-testid="stMetricLabel"] {
  color: var(--studyapp-muted) !important; opacity: 1 !important; }

/* Heading anchor links: one Tab stop per heading is noise for keyboard users; ids stay for links. */
[data-testid="stHeaderActionElements"] { display: none !important; }

/* The sidebar: Streamlit marks every unit link as current (they share one page); unmark them,
   the unit page marks its own (ui/nav.py). Long titles end in an ellipsis; the tooltip has them whole. */
[class*="st-key-nav-unit-"] a { background: transparent !important; min-width: 0; }
[class*="st-key-nav-unit-"] a:hover { background: rgba(108, 76, 224, .08) !important; }
[class*="st-key-nav-unit-"] a p { font-weight: 400 !important; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
[class*="st-key-nav-unit-"] a > span { min-width: 0; overflow: hidden; }

/* Code in the reading column scrolls sideways with a scrollbar that can be seen and grabbed. */
[data-testid="stMarkdownContainer"] pre { overflow-x: auto !important; scrollbar-width: thin;
  scrollbar-color: #6E6887 #ECE9F5; }
[data-testid="stMarkdownContainer"] pre::-webkit-scrollbar { height: 10px; }
[data-testid="stMarkdownContainer"] pre::-webkit-scrollbar-thumb { background: #6E6887; border-radius: 5px; }
[data-testid="stMarkdownContainer"] pre::-webkit-scrollbar-track { background: #ECE9F5; }
/* Syntax colours at AA on the code background (Streamlit's own are 2.2-3.7:1). */
[data-testid="stMarkdownContainer"] pre .token.comment, pre .token.prolog { color: #5E5A6E !important; }
[data-testid="stMarkdownContainer"] pre .token.punctuation, pre .token.operator { color: #4A4560 !important; }
[data-testid="stMarkdownContainer"] pre .token.keyword, pre .token.builtin { color: #1553A6 !important; }
[data-testid="stMarkdownContainer"] pre .token.string, pre .token.char { color: #17662F !important; }
[data-testid="stMarkdownContainer"] pre .token.number, pre .token.boolean, pre .token.constant
  { color: #8A3C00 !important; }
[data-testid="stMarkdownContainer"] pre .token.function, pre .token.class-name { color: #6A2FB8 !important; }

/* A unit opened at a section (?section=) shows its heading below Streamlit's fixed header. */
[class*="st-key-sec-"] { scroll-margin-top: 4.5rem; }

/* The recall card. */
.st-key-drill-card { cursor: pointer; min-height: 10rem; transition: box-shadow .15s ease; }
.st-key-drill-card:hover { box-shadow: 0 4px 18px rgba(108, 76, 224, .18); }
.st-key-drill-front p { font-size: 1.3rem; font-weight: 600; line-height: 1.4; }

/* The quiz: the prompt reads as the question; checked choices are marked in words and colour. */
.st-key-quiz-prompt p { font-weight: 600; }
[class*="st-key-quizmark-"] { border-radius: .5rem; padding: .5rem .75rem; gap: .1rem;
  border: 1px solid #DDD8EC; }
[class*="st-key-quizmark-right-"] { background: #E7F4EA; border: 2px solid #1E7B34; }
[class*="st-key-quizmark-right-"] strong, [class*="st-key-quizmark-right-"] [data-testid="stIconMaterial"]
  { color: #145A25; }  /* 7.6:1 on #E7F4EA */
[class*="st-key-quizmark-wrong-"] { background: #FCEBEA; border: 2px solid #B3261E; }
[class*="st-key-quizmark-wrong-"] strong, [class*="st-key-quizmark-wrong-"] [data-testid="stIconMaterial"]
  { color: #8C1D18; }  /* 7.9:1 on #FCEBEA */
[class*="st-key-quizmark-plain-"] p { color: var(--studyapp-muted); }

/* A unit's cards by level (ui/levels.py). */
.lvl-bar { display: flex; height: .7rem; border-radius: .35rem; overflow: hidden; background: #E6E2F3;
  margin: .15rem 0 .3rem; }
.lvl-bar span { display: block; height: 100%%; }
.lvl-legend { font-size: .8rem; color: var(--studyapp-muted); display: flex; flex-wrap: wrap;
  gap: .1rem .7rem; }
.lvl-key i { display: inline-block; width: .7rem; height: .7rem; border-radius: .2rem; margin-right: .25rem;
  vertical-align: -.05rem; border: 1px solid rgba(30, 27, 46, .25); }

/* The unit header's metrics: compact, so a phone's first screen still shows the unit. */
.st-key-unit-metrics [data-testid="stMetricValue"], .st-key-home-metrics [data-testid="stMetricValue"]
  { font-size: 1.6rem; }
[class*="st-key-explainer-"] [data-testid="stMetricValue"] { font-size: 1.45rem; }
.st-key-jump-to-notes { display: none; }

/* Touch screens have no keyboard: no keyboard hints. */
@media (hover: none) and (pointer: coarse) { [class*="st-key-kbd-hint-"] { display: none !important; } }

@media (%(phone)s) {
  .st-key-unit-metrics, .st-key-home-metrics { gap: .25rem 1rem !important; }
  .st-key-unit-metrics > div, .st-key-home-metrics > div {
    flex: 1 1 40%% !important; min-width: 0 !important; }
  .st-key-unit-metrics [data-testid="stMetricValue"], .st-key-home-metrics [data-testid="stMetricValue"]
    { font-size: 1.15rem; }
  .st-key-unit-metrics [data-testid="stMetric"], .st-key-home-metrics [data-testid="stMetric"] { padding: 0; }
  .st-key-jump-to-notes { display: block; }
  /* The rating buttons stay on screen under a long answer, as in Anki on a phone. */
  div:has(> .st-key-drill-ratings) { position: sticky; bottom: 0; z-index: 3; background: #FFFFFF;
    padding: .4rem 0; }
  .st-key-drill-ratings button { padding-left: .3rem; padding-right: .3rem; }
  .st-key-drill-card { min-height: 6rem; }
  h1 { font-size: 2rem !important; }
}
</style>
""" % {"muted": MUTED_INK, "phone": PHONE}


def apply() -> None:
    """Inject the app's CSS once per run."""
    st.html(CSS)
