"""Consent: what a site does before a choice, after "Reject all", after "Accept all", with GPC.

`pages` chooses the pages the consent states visit, `autoconsent` finds and answers the consent
manager with DuckDuckGo's rule set (installed from npm, never vendored), `visits` drives the
crawl's own browser through one fresh profile per state, `tcf` decodes IAB TCF consent strings
and `observe` turns each state's pages into what the report and the checks read (`model`).
"""
