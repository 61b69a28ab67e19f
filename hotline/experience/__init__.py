"""服务体验官 (issue 18 item 7; seed plan item 63): citizens the centre enrols to test its
service, their experience tasks, their structured evaluations and the quarterly report."""
