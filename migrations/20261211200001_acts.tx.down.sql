DROP TABLE act_uses;
