"""One TCP connection's state machine, fed segments by hand (no stack, no wire): the RFC
9293 transitions, RST in every state, TIME-WAIT, retransmission and backoff, fast
retransmit and recovery, zero windows and probes, Nagle and delayed ACKs."""

from __future__ import annotations

import pytest

from pith.servers.inet.errors import (
    WOULD_BLOCK,
    BrokenPipe,
    ConnectionRefused,
    ConnectionReset,
    TimedOut,
)
from pith.servers.inet.tcp import State, Tcb, TcpConfig
from pith.servers.inet.wire import ACK, FIN, PSH, RST, SYN, Tcp, TcpOptions

CFG = TcpConfig(mss=1000)
ISS_A, ISS_B = 1000, 5000


def syn(seq: int = ISS_B, mss: int = 1000, window: int = 65535) -> Tcp:
    return Tcp(80, 4000, seq, 0, SYN, window, options=TcpOptions(mss=mss))


def seg(seq: int, ack: int, flags: int = ACK, data: bytes = b"", window: int = 65535) -> Tcp:
    return Tcp(80, 4000, seq, ack, flags, window, data)


def established(window: int = 65535, cfg: TcpConfig = CFG) -> Tcb:
    """An active opener, ESTABLISHED: ISS 1000 (next 1001), peer's ISS 5000 (next 5001)."""
    tcb = Tcb(cfg, 4000, 80, ISS_A)
    tcb.open_active(0.0)
    (s,) = tcb.output(0.0)
    assert s.flags == SYN and s.seq == ISS_A and s.options.mss == cfg.mss
    tcb.segment_arrives(0.1, Tcp(80, 4000, ISS_B, ISS_A + 1, SYN | ACK, window,
                                 options=TcpOptions(mss=1000)))
    assert tcb.state is State.ESTABLISHED
    (ack,) = tcb.output(0.1)
    assert ack.flags == ACK and ack.ack == ISS_B + 1 and ack.seq == ISS_A + 1
    return tcb


def shuttle(a: Tcb, b: Tcb, now: float) -> list[Tcp]:
    """Pass segments between two TCBs until both are quiet; returns all that went by."""
    seen: list[Tcp] = []
    for _ in range(1000):
        out_a, out_b = a.output(now), b.output(now)
        if not out_a and not out_b:
            return seen
        for s in out_a:
            seen.append(s)
            b.segment_arrives(now, s)
        for s in out_b:
            seen.append(s)
            a.segment_arrives(now, s)
    raise AssertionError("the TCBs never went quiet")


def connected_pair(cfg: TcpConfig = CFG) -> tuple[Tcb, Tcb]:
    a, b = Tcb(cfg, 4000, 80, ISS_A), Tcb(cfg, 80, 4000, ISS_B)
    a.open_active(0.0)
    (s,) = a.output(0.0)
    b.open_passive(0.0, s)
    shuttle(a, b, 0.0)
    assert a.state is State.ESTABLISHED and b.state is State.ESTABLISHED
    return a, b


# --- opening --------------------------------------------------------------------------------

def test_passive_open() -> None:
    tcb = Tcb(CFG, 80, 4000, ISS_B)
    tcb.open_passive(0.0, Tcp(4000, 80, ISS_A, 0, SYN, 64240, options=TcpOptions(mss=1460)))
    assert tcb.state is State.SYN_RECEIVED and tcb.snd_mss == 1000
    (synack,) = tcb.output(0.0)
    assert synack.flags == SYN | ACK and synack.seq == ISS_B and synack.ack == ISS_A + 1
    tcb.segment_arrives(0.1, Tcp(4000, 80, ISS_A + 1, ISS_B + 1, ACK, 64240))
    assert tcb.state is State.ESTABLISHED and tcb.rto.srtt == pytest.approx(0.1)


def test_active_open_and_the_default_mss() -> None:
    tcb = Tcb(CFG, 4000, 80, ISS_A)
    tcb.open_active(0.0)
    tcb.output(0.0)
    tcb.segment_arrives(0.05, Tcp(80, 4000, ISS_B, ISS_A + 1, SYN | ACK, 8192))
    assert tcb.state is State.ESTABLISHED and tcb.snd_mss == 536   # no MSS option: 536
    assert tcb.snd_wnd == 8192


def test_simultaneous_open() -> None:
    a, b = Tcb(CFG, 4000, 80, ISS_A), Tcb(CFG, 80, 4000, ISS_B)
    a.open_active(0.0)
    b.open_active(0.0)
    (sa,), (sb,) = a.output(0.0), b.output(0.0)
    a.segment_arrives(0.0, sb)
    b.segment_arrives(0.0, sa)
    assert a.state is State.SYN_RECEIVED and b.state is State.SYN_RECEIVED
    shuttle(a, b, 0.0)
    assert a.state is State.ESTABLISHED and b.state is State.ESTABLISHED


def test_syn_sent_refuses_a_bad_ack_with_rst() -> None:
    tcb = Tcb(CFG, 4000, 80, ISS_A)
    tcb.open_active(0.0)
    tcb.output(0.0)
    tcb.segment_arrives(0.0, Tcp(80, 4000, 7, 999, ACK, 100))
    (rst,) = tcb.output(0.0)
    assert rst.flags == RST and rst.seq == 999 and tcb.state is State.SYN_SENT


def test_syn_retransmitted_with_backoff_then_etimedout() -> None:
    tcb = Tcb(CFG, 4000, 80, ISS_A)
    tcb.open_active(0.0)
    tcb.output(0.0)
    times = []
    now = 0.0
    while tcb.state is State.SYN_SENT:
        deadline = tcb.next_deadline()
        assert deadline is not None
        now = deadline
        tcb.on_timer(now)
        if tcb.output(now):
            times.append(now)
    assert times == [1.0, 3.0, 7.0, 15.0, 31.0]
    assert now == 63.0 and isinstance(tcb.error, TimedOut)


# --- closing --------------------------------------------------------------------------------

def test_active_and_passive_close_through_time_wait() -> None:
    a, b = connected_pair()
    a.close(1.0)
    assert a.state is State.FIN_WAIT_1
    (fin,) = a.output(1.0)
    assert fin.flags & FIN
    b.segment_arrives(1.0, fin)
    assert b.state is State.CLOSE_WAIT and b.recv(10) == b""
    a.segment_arrives(1.0, b.output(1.0)[0])
    assert a.state is State.FIN_WAIT_2
    b.close(2.0)
    assert b.state is State.LAST_ACK
    (fin_b,) = b.output(2.0)
    a.segment_arrives(2.0, fin_b)
    assert a.state is State.TIME_WAIT
    b.segment_arrives(2.0, a.output(2.0)[0])
    assert b.state is State.CLOSED and b.error is None
    # TIME-WAIT: a retransmitted FIN is ACKed again and restarts the 2MSL timer
    a.segment_arrives(30.0, fin_b)
    (again,) = a.output(30.0)
    assert again.flags == ACK and again.ack == fin_b.seq + 1
    assert a.next_deadline() == 90.0
    a.on_timer(89.9)
    assert a.state is State.TIME_WAIT
    a.on_timer(90.0)
    assert a.state is State.CLOSED and a.finished


def test_simultaneous_close() -> None:
    a, b = connected_pair()
    a.close(1.0)
    b.close(1.0)
    (fa,), (fb,) = a.output(1.0), b.output(1.0)
    a.segment_arrives(1.0, fb)
    b.segment_arrives(1.0, fa)
    assert a.state is State.CLOSING and b.state is State.CLOSING
    shuttle(a, b, 1.0)
    assert a.state is State.TIME_WAIT and b.state is State.TIME_WAIT
    assert a.next_deadline() == 61.0   # 2 * MSL (30 s)


def test_fin_wait_2_orphan_times_out() -> None:
    a, b = connected_pair()
    a.close(1.0)
    shuttle(a, b, 1.0)
    assert a.state is State.FIN_WAIT_2
    a.on_timer(61.0)
    assert a.state is State.CLOSED


def test_close_with_unread_data_resets() -> None:
    a, b = connected_pair()
    a.send(b"unread")
    shuttle(a, b, 1.0)
    b.close(1.0)
    (rst,) = b.output(1.0)
    assert rst.flags & RST and b.state is State.CLOSED
    a.segment_arrives(1.0, rst)
    assert isinstance(a.error, ConnectionReset)
    with pytest.raises(ConnectionReset):
        a.recv(10)


def test_send_after_shutdown_is_epipe() -> None:
    a, _ = connected_pair()
    a.shutdown()
    with pytest.raises(BrokenPipe):
        a.send(b"x")


# --- RST in each state ------------------------------------------------------------------------

def _in_state(state: State) -> tuple[Tcb, int]:
    """A TCB in `state` and the sequence number a peer's RST must carry (RCV.NXT)."""
    if state is State.SYN_RECEIVED:
        tcb = Tcb(CFG, 80, 4000, ISS_B)
        tcb.open_passive(0.0, Tcp(4000, 80, ISS_A, 0, SYN, 1000))
        tcb.output(0.0)
        return tcb, ISS_A + 1
    a, b = connected_pair()
    if state is State.ESTABLISHED:
        return a, ISS_B + 1
    if state is State.CLOSE_WAIT:
        b.close(1.0)
        a.segment_arrives(1.0, b.output(1.0)[0])
        return a, ISS_B + 2
    a.close(1.0)
    fin = a.output(1.0)[0]
    if state is State.FIN_WAIT_1:
        return a, ISS_B + 1
    if state is State.CLOSING:
        b.close(1.0)
        a.segment_arrives(1.0, b.output(1.0)[0])
        return a, ISS_B + 2
    b.segment_arrives(1.0, fin)
    a.segment_arrives(1.0, b.output(1.0)[0])
    if state is State.FIN_WAIT_2:
        return a, ISS_B + 1
    if state is State.LAST_ACK:
        b.close(1.0)
        b.output(1.0)
        return b, ISS_A + 2
    b.close(1.0)
    a.segment_arrives(1.0, b.output(1.0)[0])
    assert a.state is State.TIME_WAIT
    return a, ISS_B + 2


@pytest.mark.parametrize(("state", "error"), [
    (State.SYN_RECEIVED, None), (State.ESTABLISHED, ConnectionReset),
    (State.FIN_WAIT_1, ConnectionReset), (State.FIN_WAIT_2, ConnectionReset),
    (State.CLOSE_WAIT, ConnectionReset), (State.CLOSING, None), (State.LAST_ACK, None),
    (State.TIME_WAIT, None),
])
def test_rst_in_each_state(state: State, error: type[Exception] | None) -> None:
    tcb, rcv_nxt = _in_state(state)
    assert tcb.state is state
    tcb.segment_arrives(2.0, seg(rcv_nxt + 100, 0, RST))     # in window, not exact: challenge
    assert tcb.state is state
    assert [s.flags for s in tcb.output(2.0)] == [ACK]
    tcb.segment_arrives(2.0, seg(rcv_nxt + 100_000, 0, RST))  # outside: ignored
    assert tcb.state is state and tcb.output(2.0) == []
    tcb.segment_arrives(2.0, seg(rcv_nxt, 0, RST))
    assert tcb.state is State.CLOSED and tcb.next_deadline() is None
    assert (type(tcb.error) if tcb.error else None) is error


def test_rst_in_syn_sent_is_refused() -> None:
    tcb = Tcb(CFG, 4000, 80, ISS_A)
    tcb.open_active(0.0)
    tcb.output(0.0)
    tcb.segment_arrives(0.0, Tcp(80, 4000, 0, ISS_A + 1, RST | ACK, 0))
    assert isinstance(tcb.error, ConnectionRefused)
    with pytest.raises(ConnectionRefused):
        tcb.recv(1)


def test_syn_in_a_synchronized_state_gets_a_challenge_ack() -> None:
    tcb = established()
    tcb.segment_arrives(1.0, syn(seq=ISS_B + 1))
    assert tcb.state is State.ESTABLISHED
    assert [s.flags for s in tcb.output(1.0)] == [ACK]


# --- retransmission -----------------------------------------------------------------------

def test_retransmission_by_timer_with_backoff_then_etimedout() -> None:
    tcb = established(cfg=TcpConfig(mss=1000, data_retries=3))
    tcb.send(b"x" * 10)
    (first,) = tcb.output(1.0)
    rto = tcb.rto.rto   # 0.3: SRTT 0.1 + 4 * RTTVAR 0.05, from the handshake's sample
    assert rto == pytest.approx(0.3) and tcb.next_deadline() == 1.0 + rto
    seen = []
    now = 1.0
    while tcb.state is State.ESTABLISHED:
        now = tcb.next_deadline() or 0.0
        tcb.on_timer(now)
        for s in tcb.output(now):
            assert s.seq == first.seq and s.payload == first.payload
            seen.append(now)
    expected = [1.0 + rto, 1.0 + 3 * rto, 1.0 + 7 * rto]      # RTO doubles each time
    assert seen == pytest.approx(expected) and now == pytest.approx(1.0 + 15 * rto)
    assert isinstance(tcb.error, TimedOut)


def test_rtt_samples_set_the_rto_and_karn_skips_retransmissions() -> None:
    tcb = established()
    tcb.send(b"a" * 100)
    tcb.output(1.0)
    tcb.segment_arrives(1.3, seg(ISS_B + 1, ISS_A + 101))
    # first sample at SYN time (0.1), then 0.3: RFC 6298 2.3
    srtt = 7 / 8 * 0.1 + 1 / 8 * 0.3
    rttvar = 3 / 4 * 0.05 + 1 / 4 * abs(0.1 - 0.3)
    assert tcb.rto.srtt == pytest.approx(srtt)
    assert tcb.rto.rto == pytest.approx(max(0.2, srtt + 4 * rttvar))
    tcb.send(b"b" * 100)
    tcb.output(2.0)
    tcb.on_timer(2.0 + tcb.rto.rto)
    tcb.output(3.0)   # the retransmission
    tcb.segment_arrives(3.5, seg(ISS_B + 1, ISS_A + 201))
    assert tcb.rto.srtt == pytest.approx(srtt)   # no sample from a retransmitted segment


def test_fast_retransmit_and_recovery() -> None:
    tcb = established()
    tcb.cwnd = 10_000
    tcb.send(b"z" * 8000)
    out = tcb.output(1.0)
    assert [len(s.payload) for s in out] == [1000] * 8
    base = ISS_A + 1
    # segment 1 was lost: each later one brings a duplicate ACK of `base`
    for _ in range(2):
        tcb.segment_arrives(1.1, seg(ISS_B + 1, base))
        assert tcb.output(1.1) == []
    tcb.segment_arrives(1.1, seg(ISS_B + 1, base))
    (again,) = tcb.output(1.1)
    assert again.seq == base and len(again.payload) == 1000
    assert tcb.in_recovery and tcb.ssthresh == 4000 and tcb.cwnd == 4000 + 3000
    tcb.segment_arrives(1.2, seg(ISS_B + 1, base + 3000))   # partial ACK: next hole resent
    (hole,) = tcb.output(1.2)
    assert hole.seq == base + 3000 and tcb.in_recovery
    tcb.segment_arrives(1.3, seg(ISS_B + 1, base + 8000))   # full ACK: recovery ends
    assert not tcb.in_recovery and tcb.cwnd <= tcb.ssthresh + 1000


def test_timeout_collapses_the_congestion_window() -> None:
    tcb = established()
    tcb.send(b"q" * 3000)
    tcb.output(1.0)
    tcb.on_timer(10.0)
    out = tcb.output(10.0)
    assert [s.seq for s in out] == [ISS_A + 1] and tcb.cwnd == 1000
    assert tcb.ssthresh == 2000


# --- windows --------------------------------------------------------------------------------

def test_zero_window_then_probes_then_it_opens() -> None:
    tcb = established(window=0)
    tcb.send(b"w" * 500)
    assert tcb.output(1.0) == []
    probe_at = tcb.next_deadline()
    assert probe_at is not None
    tcb.on_timer(probe_at)
    (probe,) = tcb.output(probe_at)
    assert probe.payload == b"w" and probe.seq == ISS_A + 1
    tcb.segment_arrives(probe_at, seg(ISS_B + 1, ISS_A + 1, window=0))  # still closed
    later = tcb.next_deadline()
    assert later is not None and later > probe_at
    tcb.segment_arrives(later, seg(ISS_B + 1, ISS_A + 1, window=4000))  # a window update
    (data,) = tcb.output(later)
    assert data.seq == ISS_A + 1 and len(data.payload) == 500


def test_a_peer_that_stops_reading_fills_our_window_to_zero() -> None:
    a, b = connected_pair(TcpConfig(mss=1000, recv_buffer=4000, send_buffer=8000))
    assert a.send(b"m" * 20_000) == 8000
    assert a.send(b"more") is WOULD_BLOCK
    shuttle(a, b, 1.0)
    assert len(b.rq.data) == 4000 and a.snd_wnd == 0    # type: ignore[union-attr]
    assert a.send(b"m" * 20_000) == 4000 and a.writable is False
    assert b.recv(4000) == b"m" * 4000       # reading opens the window
    shuttle(a, b, 1.1)
    assert b.recv(8000) == b"m" * 4000
    assert a.writable and len(a.sndbuf) == 4000


def test_out_of_order_data_is_reassembled_and_acked_at_once() -> None:
    tcb = established()
    tcb.segment_arrives(1.0, seg(ISS_B + 11, ISS_A + 1, data=b"world"))
    (dup,) = tcb.output(1.0)
    assert dup.ack == ISS_B + 1          # the gap: a duplicate ACK, now
    tcb.segment_arrives(1.0, seg(ISS_B + 1, ISS_A + 1, data=b"hello, wor"))
    (ack,) = tcb.output(1.0)
    assert ack.ack == ISS_B + 16 and tcb.recv(100) == b"hello, world"[:10] + b"world"[0:5]


# --- Nagle and delayed ACK ----------------------------------------------------------------

def test_nagle_holds_a_small_segment_while_data_is_unacked() -> None:
    tcb = established()
    tcb.send(b"a")
    assert [s.payload for s in tcb.output(1.0)] == [b"a"]
    tcb.send(b"b")
    assert tcb.output(1.0) == []               # held: "a" is in flight
    tcb.segment_arrives(1.1, seg(ISS_B + 1, ISS_A + 2))
    assert [s.payload for s in tcb.output(1.1)] == [b"b"]


def test_nodelay_sends_at_once() -> None:
    tcb = established()
    tcb.nodelay = True
    tcb.send(b"a")
    tcb.output(1.0)
    tcb.send(b"b")
    (s,) = tcb.output(1.0)
    assert s.payload == b"b" and s.flags & PSH


def test_delayed_ack_waits_then_acks_every_second_segment() -> None:
    tcb = established()
    tcb.segment_arrives(1.0, seg(ISS_B + 1, ISS_A + 1, data=b"x" * 1000))
    assert tcb.output(1.0) == [] and tcb.next_deadline() == pytest.approx(1.04)
    tcb.on_timer(1.04)
    (ack,) = tcb.output(1.04)
    assert ack.ack == ISS_B + 1001
    tcb.segment_arrives(2.0, seg(ISS_B + 1001, ISS_A + 1, data=b"y" * 1000))
    assert tcb.output(2.0) == []
    tcb.segment_arrives(2.0, seg(ISS_B + 2001, ISS_A + 1, data=b"z" * 1000))
    (ack2,) = tcb.output(2.0)
    assert ack2.ack == ISS_B + 3001 and tcb.next_deadline() is None


def test_a_reply_carries_the_delayed_ack() -> None:
    tcb = established()
    tcb.segment_arrives(1.0, seg(ISS_B + 1, ISS_A + 1, data=b"GET /"))
    tcb.send(b"200 OK")
    (reply,) = tcb.output(1.0)
    assert reply.payload == b"200 OK" and reply.ack == ISS_B + 6 and tcb.delack_at is None


def test_a_fast_retransmission_never_sends_past_snd_max() -> None:
    """Found by the lossy-wire machine: a fast retransmission sent a full MSS from snd_una,
    past anything ever sent (here the window had let only 500 bytes go); the peer acked
    bytes we did not count as sent, and each side then dropped the other's ACKs for ever."""
    tcb = established(window=500)
    tcb.send(b"a" * 2500)
    (first,) = tcb.output(1.0)       # the peer's window lets 500 bytes go
    assert len(first.payload) == 500
    assert tcb.snd_max == ISS_A + 501
    for _ in range(3):
        tcb.segment_arrives(1.1, seg(ISS_B + 1, ISS_A + 1, window=500))
    (again,) = tcb.output(1.1)
    assert again.seq == ISS_A + 1 and len(again.payload) == 500
