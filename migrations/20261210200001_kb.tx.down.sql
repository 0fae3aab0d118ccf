DROP TABLE kb_feedback;
