"""好差评 (issue 18 item 6; 国办发〔2019〕51号, seed plan item 73): one reminder SMS for an
unanswered rating link, and a 差评整改 task for the unit behind every bad rating, with a
deadline, the unit's written feedback and the centre's acceptance."""
