"""疑难工单 and 挂牌督办 (issue 17, Build 4): supervisors' tracking list of hard cases with a
leader, a coordination deadline and progress notes; proposals for orders reopened twice,
returned twice or repeated by many callers; a monthly count of resolved cases."""
