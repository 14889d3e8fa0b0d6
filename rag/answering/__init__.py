"""The answer stage: general candidates (sentences with their context, table rows)
scored by a model fitted on data, a short answer span, calibrated abstention.

records   Question, Candidate, Scored, Selection
question  what a question asks for (answer type, terms, numbers, names)
corpus    document frequencies and acronyms learned from the indexed documents
candidates, features, scorer, spans, compose, engine
"""
