DROP TABLE form_tokens;
