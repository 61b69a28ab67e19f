"""Asterisk's `queue_log` format and the fold of one call's events (issue 18 item 4;
docs/design/domain.md §1.2: GB/T 33358-2016 asks for an answer within 15 s).

A line is `epoch|callid|queue|agent|event|data1|data2|...` (Asterisk "Queue Logs"): the
UNIX time, the caller channel's unique id, the queue, the queue member's channel (NONE when
none) and the event with its parameters. The events read here, with the parameters we use:

  ENTERQUEUE(url|callerid)                       the call joins the queue
  CONNECT(holdtime|bridgedchanneluniqueid|ringtime)   an agent answers; holdtime = the wait
  ABANDON(position|origposition|waittime)        the caller hung up while waiting
  EXITWITHTIMEOUT(position|origposition|waittime)     the queue's timeout ended the wait
  EXITEMPTY(position|origposition|waittime), EXITWITHKEY(key|position|origposition|waittime)
                                                 the caller left unanswered otherwise
  COMPLETECALLER / COMPLETEAGENT(holdtime|calltime|origposition)  the answered call ended
  RINGNOANSWER(ringtime, ms)                     a member rang and did not answer

Other events (agent logins, pauses, CONFIGRELOAD ...) and lines whose callid is NONE are
skipped. Pure: no framework, no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

ENTER, CONNECT, ABANDON, TIMEOUT = "ENTERQUEUE", "CONNECT", "ABANDON", "EXITWITHTIMEOUT"
EXITEMPTY, EXITWITHKEY = "EXITEMPTY", "EXITWITHKEY"
COMPLETECALLER, COMPLETEAGENT, RINGNOANSWER = "COMPLETECALLER", "COMPLETEAGENT", "RINGNOANSWER"
EVENTS = (ENTER, CONNECT, ABANDON, TIMEOUT, EXITEMPTY, EXITWITHKEY, COMPLETECALLER,
          COMPLETEAGENT, RINGNOANSWER)

# outcomes of a call (one per callid)
OPEN, ANSWERED, ABANDONED, TIMED_OUT, LEFT = "open", "answered", "abandoned", "timeout", "left"
OUTCOME_LABELS = {OPEN: "排队中", ANSWERED: "接通", ABANDONED: "放弃", TIMED_OUT: "排队超时",
                  LEFT: "其他未接通"}
# where in data the wait of an unanswered exit is (0-based index into data1..)
_WAIT_AT = {ABANDON: 2, TIMEOUT: 2, EXITEMPTY: 2, EXITWITHKEY: 3}
_UNANSWERED = {ABANDON: ABANDONED, TIMEOUT: TIMED_OUT, EXITEMPTY: LEFT, EXITWITHKEY: LEFT}


class QueueLogError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class SwitchEvent:
    at: datetime            # aware, UTC
    callid: str
    queue: str
    agent: str | None       # the member channel; None for NONE
    event: str
    data: tuple[str, ...] = ()

    def dedupe_key(self) -> str:
        """Idempotency: one event per (callid, event); RINGNOANSWER happens once per member
        ring, so its key adds the member and the time."""
        if self.event == RINGNOANSWER:
            return f"{self.callid}|{self.event}|{self.agent or ''}|{int(self.at.timestamp())}"
        return f"{self.callid}|{self.event}"

    def num(self, i: int) -> int | None:
        """data[i] as a non-negative integer, None when absent or not a number."""
        if i >= len(self.data):
            return None
        v = self.data[i].strip()
        return int(v) if v.isdigit() else None


def make_event(at: datetime, callid: str, queue: str, agent: str | None, event: str,
               data=()) -> SwitchEvent:
    """Validate one event (both entry points, the file and the JSON API, end here)."""
    event = (event or "").strip().upper()
    if event not in EVENTS:
        raise QueueLogError("event", f"不支持的事件类型 {event[:24]}")
    callid = (callid or "").strip()
    if not callid or len(callid) > 64 or callid.upper() == "NONE":
        raise QueueLogError("callid", "呼叫编号须为 1 至 64 个字符")
    if at.tzinfo is None:
        raise QueueLogError("at", "时间须带时区")
    agent = (agent or "").strip() or None
    if agent is not None and agent.upper() == "NONE":
        agent = None
    return SwitchEvent(at.astimezone(timezone.utc), callid, (queue or "").strip()[:64],
                       agent[:64] if agent else None, event,
                       tuple(str(d)[:128] for d in data)[:10])


def parse_line(line: str) -> SwitchEvent | None:
    """One queue_log line; None for a line this module does not read (other events, callid
    NONE, blank); QueueLogError for a malformed line of a read event."""
    line = line.strip()
    if not line:
        return None
    parts = line.split("|")
    if len(parts) < 5:
        raise QueueLogError("line", "字段不足 (epoch|callid|queue|agent|event|data...)")
    epoch, callid, queue, agent, event, *data = parts
    if event.strip().upper() not in EVENTS or callid.strip().upper() in ("NONE", "REALTIME"):
        return None
    try:
        at = datetime.fromtimestamp(int(epoch.split(".")[0]), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise QueueLogError("epoch", f"时间戳无效: {epoch[:20]}") from None
    return make_event(at, callid, queue, agent, event, data)


@dataclass
class Call:
    """One call folded from its events (any order: a file may be imported in pieces)."""
    callid: str
    queue: str = ""
    entered_at: datetime | None = None
    outcome: str = OPEN
    wait_seconds: int | None = None
    agent: str | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    talk_seconds: int | None = None
    rings_unanswered: int = 0
    events: int = 0
    seen: set = field(default_factory=set)


def fold(callid: str, events: list[SwitchEvent]) -> Call:
    c = Call(callid)
    for e in sorted(events, key=lambda e: (e.at, EVENTS.index(e.event))):
        c.events += 1
        c.queue = c.queue or e.queue
        if e.event == ENTER:
            c.entered_at = c.entered_at or e.at
        elif e.event == CONNECT:
            c.outcome, c.agent, c.answered_at = ANSWERED, e.agent, e.at
            c.wait_seconds = e.num(0)
        elif e.event in _UNANSWERED and c.outcome != ANSWERED:
            c.outcome = _UNANSWERED[e.event]
            c.wait_seconds = e.num(_WAIT_AT[e.event])
            c.ended_at = e.at
        elif e.event in (COMPLETECALLER, COMPLETEAGENT):
            c.ended_at, c.talk_seconds = e.at, e.num(1)
            c.agent = c.agent or e.agent
            if c.outcome != ANSWERED:   # a CONNECT line lost: the completion says it was answered
                c.outcome, c.wait_seconds = ANSWERED, e.num(0)
        elif e.event == RINGNOANSWER:
            c.rings_unanswered += 1
    if c.wait_seconds is None and c.entered_at is not None:
        end = c.answered_at or (c.ended_at if c.outcome != ANSWERED else None)
        if end is not None:
            c.wait_seconds = max(0, int((end - c.entered_at).total_seconds()))
    if c.entered_at is None:   # no ENTERQUEUE line: the wait says when the call joined
        ref = c.answered_at or c.ended_at
        if ref is not None:
            c.entered_at = ref - timedelta(seconds=c.wait_seconds or 0)
    return c
