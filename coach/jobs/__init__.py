"""Practise for a job: a job description read offline (reading, vocabulary, profile), the bank's questions that
fit it (matching), questions written for it by an LLM (writer), and the flow the page and CLI use (practice)."""
