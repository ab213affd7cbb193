"""Pages for people: the home page, area profiles, name search and HTML error pages.

The JSON API answers clients; these modules build what a planner reads in a browser from
the same catalogue, in English or Spanish (:mod:`maps.i18n`).
"""
