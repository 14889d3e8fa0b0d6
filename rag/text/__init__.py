"""The language layer: tokens, stems, stopwords, sentences and the shared patterns
(years, dates, numbers, money, acronyms). Each pattern is written once, here."""
