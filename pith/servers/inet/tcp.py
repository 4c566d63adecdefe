"""One TCP connection: its control block and state machine (RFC 9293), with the timers of
RFC 6298, congestion control and fast retransmit/recovery (RFC 5681, NewReno RFC 6582),
Nagle (RFC 896) and delayed ACKs (RFC 1122 4.2.3.2).

Pure: segments and user calls in, segments out; `now` is always an argument and nothing here
reads a clock, a socket or a thread. It knows ports but no addresses (the stack adds them).
Entry points: `Tcb.open_active(now)` / `Tcb.open_passive(now, syn)`,
`Tcb.segment_arrives(now, seg)`, `Tcb.output(now) -> list[Tcp]`, `Tcb.on_timer(now)`,
`Tcb.next_deadline()`, and the user calls `send`, `recv`, `shutdown`, `close`, `abort`.

Invariants (kept by every method, asserted in the tests):
- snd_una <= snd_nxt <= snd_max in sequence space; `sndbuf[0]` is the byte at `buf_seq`, and
  buf_seq is snd_una, or snd_una + 1 while our SYN is unacknowledged;
- len(sndbuf) <= send_buffer, and the receive queue holds at most recv_buffer bytes;
- the window we advertise never shrinks its right edge (`rcv_adv`);
- a CLOSED connection has no timer armed and emits nothing more than a pending RST.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pith.servers.inet.errors import (
    WOULD_BLOCK,
    BrokenPipe,
    ConnectionRefused,
    ConnectionReset,
    NetError,
    NotConnected,
    TimedOut,
    WouldBlock,
)
from pith.servers.inet.reassembly import ReceiveQueue, seq_add, seq_diff
from pith.servers.inet.retransmit import RTO_MAX, RTO_MIN, RtoEstimator
from pith.servers.inet.wire import ACK, FIN, PSH, RST, SYN, Tcp, TcpOptions

__all__ = ["DEFAULT_MSS", "State", "Tcb", "TcpConfig"]

DEFAULT_MSS = 536    # RFC 9293 3.7.1: the send MSS when the peer's SYN carried none
_MAX_CWND = 1 << 20


class State(enum.Enum):
    CLOSED = "CLOSED"
    SYN_SENT = "SYN-SENT"
    SYN_RECEIVED = "SYN-RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN-WAIT-1"
    FIN_WAIT_2 = "FIN-WAIT-2"
    CLOSE_WAIT = "CLOSE-WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST-ACK"
    TIME_WAIT = "TIME-WAIT"


_SYNCHRONIZED = frozenset(State) - {State.CLOSED, State.SYN_SENT}
_RECEIVING = frozenset({State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2})
_SENDING = frozenset({State.ESTABLISHED, State.CLOSE_WAIT})


@dataclass(frozen=True, slots=True)
class TcpConfig:
    """The numbers (docs/design.md, "The network stack: the engine")."""

    mss: int = 1460                   # what we advertise (the stack sets the route's MTU - 40)
    send_buffer: int = 65536
    recv_buffer: int = 65535          # no window scaling: the window field's maximum
    delayed_ack: float = 0.04         # RFC 1122: < 0.5 s; Linux's minimum
    msl: float = 30.0                 # TIME-WAIT lasts 2 * MSL
    syn_retries: int = 5              # SYN and SYN-ACK: 1+2+4+8+16+32 s, then ETIMEDOUT
    data_retries: int = 10            # consecutive timeouts (or unanswered probes) allowed
    fin_wait_2_timeout: float = 60.0  # an orphan (closed by its user) waits no longer
    rto_min: float = RTO_MIN
    rto_max: float = RTO_MAX


class Tcb:
    def __init__(self, config: TcpConfig, local_port: int, remote_port: int, iss: int) -> None:
        self.config = config
        self.local_port, self.remote_port = local_port, remote_port
        self.state = State.CLOSED
        self.error: NetError | None = None      # why it failed, for the user
        self.passive = False
        self.established_once = False
        # send side (RFC 9293 3.3.1)
        self.iss = iss & 0xFFFFFFFF
        self.snd_una = self.snd_nxt = self.snd_max = self.iss
        self.snd_wnd = self.max_snd_wnd = 0
        self.snd_wl1 = self.snd_wl2 = 0
        self.snd_mss = DEFAULT_MSS
        self.sndbuf = bytearray()
        self.buf_seq = seq_add(self.iss, 1)
        self.fin_queued = False                 # the user will send no more
        self.nodelay = False
        # receive side
        self.irs = 0
        self.rq: ReceiveQueue | None = None
        self.rcv_adv = 0                        # right edge of the window last advertised
        self.fin_at: int | None = None          # the peer's FIN, seen (perhaps out of order)
        self.fin_received = False
        self.user_closed = False                # close(): nobody reads any more
        # congestion control (RFC 5681, 6582)
        self.cwnd = 0
        self.ssthresh = _MAX_CWND
        self.dupacks = 0
        self.in_recovery = False
        self.recover = self.iss
        # round trip (RFC 6298); Karn: only segments sent once are timed
        self.rto = RtoEstimator(config.rto_min, config.rto_max)
        self.rtt_seq: int | None = None
        self.rtt_sent = 0.0
        self.retries = 0
        self.probes = 0
        # timers: absolute times, None when not armed
        self.rexmit_at: float | None = None
        self.persist_at: float | None = None
        self.delack_at: float | None = None
        self.close_at: float | None = None      # TIME-WAIT's 2MSL, or an orphan's FIN-WAIT-2
        # output owed
        self.ack_now = False
        self.unacked_segments = 0
        self.queued: list[Tcp] = []             # built already: RSTs, fast retransmissions

    # --- opening ----------------------------------------------------------------------------

    def open_active(self, now: float) -> None:
        """connect(): CLOSED -> SYN-SENT; the SYN goes out at the next output()."""
        assert self.state is State.CLOSED
        self.state = State.SYN_SENT

    def open_passive(self, now: float, syn: Tcp) -> None:
        """A listener's SYN: LISTEN -> SYN-RECEIVED (the TCB is new; the listener stays)."""
        self.passive = True
        self.state = State.SYN_RECEIVED
        self._take_syn(syn)

    def _take_syn(self, syn: Tcp) -> None:
        self.irs = syn.seq
        self.rq = ReceiveQueue(seq_add(syn.seq, 1), self.config.recv_buffer)
        self.rcv_adv = self.rq.nxt
        peer_mss = syn.options.mss if syn.options.mss else DEFAULT_MSS
        self.snd_mss = max(64, min(peer_mss, self.config.mss))
        self.snd_wnd = self.max_snd_wnd = syn.window
        self.snd_wl1, self.snd_wl2 = syn.seq, syn.ack
        mss = self.snd_mss   # RFC 5681 3.1: the initial window
        self.cwnd = 2 * mss if mss > 2190 else 3 * mss if mss > 1095 else 4 * mss
        self.ack_now = True

    # --- user calls ------------------------------------------------------------------------

    def send(self, data: bytes) -> int | WouldBlock:
        """Queue what fits of `data`; the bytes accepted, or WOULD_BLOCK if none fit."""
        if self.error is not None:
            raise self.error
        if self.fin_queued or self.state not in _SENDING | {State.SYN_SENT, State.SYN_RECEIVED}:
            raise BrokenPipe()
        room = self.config.send_buffer - len(self.sndbuf)
        if room <= 0:
            return WOULD_BLOCK
        self.sndbuf += data[:room]
        return min(room, len(data))

    def recv(self, n: int) -> bytes | WouldBlock:
        """Up to n bytes; b"" at the peer's FIN; WOULD_BLOCK while none are there yet."""
        if self.rq is not None and self.rq.data:
            out = self.rq.read(n)
            if self.state in _SYNCHRONIZED and self._window_moves():
                self.ack_now = True     # a window update (RFC 9293 3.8.6.2.2)
            return out
        if self.error is not None:
            raise self.error
        if self.fin_received or self.state is State.CLOSED:
            return b""
        return WOULD_BLOCK

    def shutdown(self) -> None:
        """shutdown(SHUT_WR): a FIN after the queued data."""
        if self.error is not None:
            raise self.error
        if self.state is State.CLOSED:
            raise NotConnected()
        self.fin_queued = True
        self._fin_transition()

    def close(self, now: float) -> None:
        """close(): the user is gone. Unread data makes it an abort (RFC 2525 2.17)."""
        self.user_closed = True
        if self.state is State.CLOSED:
            return
        if self.state is State.SYN_SENT:
            self._become_closed()
            return
        if self.rq is not None and self.rq.data:
            self.abort()
            return
        self.fin_queued = True
        self._fin_transition()
        if self.state is State.FIN_WAIT_2:
            self.close_at = now + self.config.fin_wait_2_timeout

    def abort(self) -> None:
        """ABORT: a RST to a synchronized peer, and CLOSED."""
        if self.state in _SYNCHRONIZED:
            self.queued.append(self._segment(self.snd_max, RST | ACK))
        self._become_closed()

    def _fin_transition(self) -> None:
        if self.state is State.ESTABLISHED:
            self.state = State.FIN_WAIT_1
        elif self.state is State.CLOSE_WAIT:
            self.state = State.LAST_ACK

    # --- state seen from outside --------------------------------------------------------------

    @property
    def readable(self) -> bool:
        return bool(self.rq is not None and self.rq.data) or self.fin_received \
            or self.state is State.CLOSED

    @property
    def writable(self) -> bool:
        if self.state is State.CLOSED or self.fin_queued:
            return True     # (the call will fail: that is an answer too)
        return self.state in _SENDING and len(self.sndbuf) < self.config.send_buffer

    @property
    def finished(self) -> bool:
        """CLOSED with nothing left to emit: the stack may forget it."""
        return self.state is State.CLOSED and not self.queued

    def next_deadline(self) -> float | None:
        times = [t for t in (self.rexmit_at, self.persist_at, self.delack_at, self.close_at)
                 if t is not None]
        return min(times) if times else None

    # --- segments in (RFC 9293 3.10.7) -------------------------------------------------------

    def segment_arrives(self, now: float, seg: Tcp) -> None:
        if self.state is State.CLOSED:
            return
        if self.state is State.SYN_SENT:
            self._syn_sent(now, seg)
            return
        if seg.flags & RST:
            self._reset(seg)
            return
        assert self.rq is not None
        window = max(0, seq_diff(self.rcv_adv, self.rq.nxt))
        if not self._acceptable(seg, window):
            if self.state is State.TIME_WAIT and seg.flags & FIN:
                self.close_at = now + 2 * self.config.msl
            self.ack_now = True
            if not (window == 0 and seg.seq == self.rq.nxt and seg.flags & ACK):
                return
            seg = Tcp(seg.src_port, seg.dst_port, seg.seq, seg.ack, seg.flags & ~FIN,
                      seg.window)   # zero window: only its ACK is taken (RFC 9293 3.10.7.4)
        if seg.flags & SYN:
            self.ack_now = True     # a challenge ACK (RFC 5961 4)
            return
        if not seg.flags & ACK:
            return
        if not self._ack(now, seg) or self._closed():
            return
        if seg.payload and self.state in _RECEIVING:
            if self.user_closed:
                self.abort()        # data for a closed socket: RST (RFC 9293 3.10.7.4, 7)
                return
            self._text(now, seg)
        if seg.flags & FIN and self.state not in (State.CLOSED, State.TIME_WAIT):
            fin = seq_add(seg.seq, len(seg.payload))
            if 0 <= seq_diff(fin, self.rq.nxt) < max(window, 1):
                self.fin_at = fin
        self._take_fin(now)

    def _closed(self) -> bool:
        return self.state is State.CLOSED

    def _acceptable(self, seg: Tcp, window: int) -> bool:
        assert self.rq is not None
        start = seq_diff(seg.seq, self.rq.nxt)
        if seg.seg_len == 0:
            return start == 0 if window == 0 else 0 <= start < window
        if window == 0:
            return False
        end = start + seg.seg_len - 1
        return 0 <= start < window or 0 <= end < window

    def _syn_sent(self, now: float, seg: Tcp) -> None:
        ack_ok = seq_diff(seg.ack, self.iss) > 0 and seq_diff(seg.ack, self.snd_max) <= 0
        if seg.flags & ACK and not ack_ok:
            if not seg.flags & RST:
                self.queued.append(self._bare(seg.ack, RST))
            return
        if seg.flags & RST:
            if seg.flags & ACK:
                self._fail(ConnectionRefused())
            return
        if not seg.flags & SYN:
            return
        self._take_syn(seg)
        if seg.flags & ACK:
            self.snd_una = seg.ack
            if seq_diff(self.snd_nxt, seg.ack) < 0:
                self.snd_nxt = self.snd_max = seg.ack
            self._rtt_ack(now, seg.ack)
            self.rexmit_at = None
            self.retries = 0
            self._establish()
        else:   # simultaneous open: SYN-ACK from here, with the same ISS
            self.state = State.SYN_RECEIVED
            self.snd_nxt = self.iss
            self.rexmit_at = None

    def _reset(self, seg: Tcp) -> None:
        """RST in a synchronized state: exact sequence resets, in-window challenges (RFC
        5961 3.2), anything else is dropped."""
        assert self.rq is not None
        offset = seq_diff(seg.seq, self.rq.nxt)
        if offset != 0:
            if 0 < offset < max(1, seq_diff(self.rcv_adv, self.rq.nxt)):
                self.ack_now = True
            return
        if self.state is State.SYN_RECEIVED:
            if self.passive:
                self._become_closed()     # back to the listener, which never left LISTEN
            else:
                self._fail(ConnectionRefused())
        elif self.state in (State.CLOSING, State.LAST_ACK, State.TIME_WAIT):
            self._become_closed()
        else:
            self._fail(ConnectionReset())

    def _ack(self, now: float, seg: Tcp) -> bool:
        """Step five; False if the segment is to be dropped after it."""
        ack = seg.ack
        if self.state is State.SYN_RECEIVED:
            if not (seq_diff(ack, self.snd_una) > 0 and seq_diff(ack, self.snd_max) <= 0):
                self.queued.append(self._bare(ack, RST))
                return False
            self.snd_wnd = self.max_snd_wnd = seg.window
            self.snd_wl1, self.snd_wl2 = seg.seq, ack
            self._establish()
        if seq_diff(ack, self.snd_max) > 0:
            self.ack_now = True       # acks something not yet sent
            return False
        self.probes = 0
        advanced = seq_diff(ack, self.snd_una)
        if advanced > 0:
            self._new_ack(now, ack, advanced)
        elif advanced == 0 and not seg.payload and not seg.flags & FIN \
                and seg.window == self.snd_wnd and self.snd_max != self.snd_una:
            self._dup_ack()
        if seq_diff(self.snd_wl1, seg.seq) < 0 or (
                self.snd_wl1 == seg.seq and seq_diff(self.snd_wl2, ack) <= 0):
            self.snd_wnd = seg.window
            self.max_snd_wnd = max(self.max_snd_wnd, seg.window)
            self.snd_wl1, self.snd_wl2 = seg.seq, ack
            if self.snd_wnd:
                self.persist_at = None
        if self._fin_acked():
            if self.state is State.FIN_WAIT_1:
                self.state = State.FIN_WAIT_2
                if self.user_closed:
                    self.close_at = now + self.config.fin_wait_2_timeout
            elif self.state is State.CLOSING:
                self._time_wait(now)
            elif self.state is State.LAST_ACK:
                self._become_closed()
                return False
        return True

    def _new_ack(self, now: float, ack: int, advanced: int) -> None:
        mss = self.snd_mss
        if self.in_recovery:
            if seq_diff(ack, self.recover) >= 0:    # full ACK: leave recovery (RFC 6582 3.2)
                flight = seq_diff(self.snd_max, ack)
                self.cwnd = min(self.ssthresh, max(flight, mss) + mss)
                self.in_recovery = False
            else:                                   # partial ACK: resend the next hole
                self.cwnd = max(self.cwnd - advanced + mss, mss)
                self._retransmit_one(ack)
        elif self.cwnd < self.ssthresh:
            self.cwnd = min(self.cwnd + min(advanced, mss), _MAX_CWND)
        else:
            self.cwnd = min(self.cwnd + max(1, mss * mss // self.cwnd), _MAX_CWND)
        self.dupacks = 0
        self.snd_una = ack
        if seq_diff(self.snd_nxt, ack) < 0:
            self.snd_nxt = ack
        data_acked = min(max(seq_diff(ack, self.buf_seq), 0), len(self.sndbuf))
        del self.sndbuf[:data_acked]
        self.buf_seq = seq_add(self.buf_seq, data_acked)
        self._rtt_ack(now, ack)
        self.retries = 0
        self.rexmit_at = None if self.snd_una == self.snd_max else now + self.rto.rto

    def _rtt_ack(self, now: float, ack: int) -> None:
        if self.rtt_seq is not None and seq_diff(ack, self.rtt_seq) >= 0:
            self.rto.sample(now - self.rtt_sent)
            self.rtt_seq = None

    def _dup_ack(self) -> None:
        """RFC 5681 3.2 with NewReno's recovery point (RFC 6582)."""
        self.dupacks += 1
        mss = self.snd_mss
        if self.dupacks == 3 and not self.in_recovery \
                and seq_diff(self.snd_una, self.recover) >= 0:
            flight = seq_diff(self.snd_max, self.snd_una)
            self.ssthresh = max(flight // 2, 2 * mss)
            self.recover = self.snd_max
            self.in_recovery = True
            self._retransmit_one(self.snd_una)
            self.cwnd = self.ssthresh + 3 * mss
        elif self.in_recovery:
            self.cwnd = min(self.cwnd + mss, _MAX_CWND)

    def _retransmit_one(self, seq: int) -> None:
        offset = seq_diff(seq, self.buf_seq)
        if offset < 0:
            return
        sent = seq_diff(self.snd_max, seq)      # never past snd_max: that was never sent
        data = bytes(self.sndbuf[offset:offset + min(self.snd_mss, sent)])
        flags = ACK | (PSH if data else 0)
        if self.fin_queued and offset + len(data) == len(self.sndbuf) \
                and seq_diff(self.snd_max, self._fin_seq()) > 0:
            flags |= FIN
        if not data and not flags & FIN:
            return
        self.queued.append(self._segment(seq, flags, data))
        self.rtt_seq = None     # Karn: this round trip is ambiguous now

    def _text(self, now: float, seg: Tcp) -> None:
        """Step seven: data into the receive queue; ACK now or later."""
        assert self.rq is not None
        had_holes = self.rq.has_holes
        in_order = self.rq.add(seg.seq, seg.payload)
        self.rcv_adv = max(self.rcv_adv, self.rq.nxt, key=self._rkey)
        if not in_order or had_holes:
            self.ack_now = True     # out of order, or it filled a gap: RFC 5681 4.2
            return
        self.unacked_segments += 1
        if self.unacked_segments >= 2:
            self.ack_now = True
        elif self.delack_at is None:
            self.delack_at = now + self.config.delayed_ack

    def _rkey(self, seq: int) -> int:
        return seq_diff(seq, self.irs)

    def _take_fin(self, now: float) -> None:
        """Step eight: the FIN counts once every byte before it is in."""
        assert self.rq is not None
        if self.fin_received or self.fin_at is None or self.fin_at != self.rq.nxt:
            return
        self.fin_received = True
        self.rq.nxt = seq_add(self.rq.nxt, 1)
        self.rcv_adv = max(self.rcv_adv, self.rq.nxt, key=self._rkey)
        self.ack_now = True
        if self.state in (State.SYN_RECEIVED, State.ESTABLISHED):
            self.state = State.CLOSE_WAIT
        elif self.state is State.FIN_WAIT_1:
            if self._fin_acked():
                self._time_wait(now)
            else:
                self.state = State.CLOSING
        elif self.state is State.FIN_WAIT_2:
            self._time_wait(now)

    def _establish(self) -> None:
        self.state = State.ESTABLISHED
        self.established_once = True
        if self.fin_queued:
            self._fin_transition()

    def _fin_acked(self) -> bool:
        return self.fin_queued and self.snd_una == seq_add(self._fin_seq(), 1)

    def _fin_seq(self) -> int:
        return seq_add(self.buf_seq, len(self.sndbuf))

    def _time_wait(self, now: float) -> None:
        self.state = State.TIME_WAIT
        self.rexmit_at = self.persist_at = None
        self.close_at = now + 2 * self.config.msl

    def _fail(self, error: NetError) -> None:
        self.error = error
        self._become_closed()

    def _become_closed(self) -> None:
        self.state = State.CLOSED
        self.rexmit_at = self.persist_at = self.delack_at = self.close_at = None
        self.sndbuf.clear()
        self.ack_now = False

    # --- timers ---------------------------------------------------------------------------

    def on_timer(self, now: float) -> None:
        """Run every timer due at `now`."""
        if self.close_at is not None and now >= self.close_at:
            self._become_closed()
            return
        if self.rexmit_at is not None and now >= self.rexmit_at:
            self._retransmission_timeout(now)
        if self.persist_at is not None and now >= self.persist_at:
            self._probe(now)
        if self.delack_at is not None and now >= self.delack_at:
            self.delack_at = None
            self.ack_now = True

    def _retransmission_timeout(self, now: float) -> None:
        """RFC 6298 5.4-5.7 and RFC 5681 3.1 (eq. 4): back off, go back to snd_una."""
        self.rexmit_at = None
        limit = self.config.data_retries if self.established_once else self.config.syn_retries
        if self.snd_wnd == 0 and self.established_once:
            self.snd_nxt = self.snd_una     # the window closed: the persist timer takes over
            return
        self.retries += 1
        if self.retries > limit:
            self._fail(TimedOut())
            return
        self.rto.backoff()
        flight = seq_diff(self.snd_max, self.snd_una)
        self.ssthresh = max(flight // 2, 2 * self.snd_mss)
        self.cwnd = self.snd_mss
        self.in_recovery, self.dupacks, self.recover = False, 0, self.snd_max
        self.snd_nxt = self.snd_una
        self.rtt_seq = None

    def _probe(self, now: float) -> None:
        """The persist timer (RFC 9293 3.8.6.1): one byte past a zero window."""
        self.probes += 1
        if self.probes > self.config.data_retries:
            self._fail(TimedOut())
            return
        offset = seq_diff(self.snd_una, self.buf_seq)
        data = bytes(self.sndbuf[offset:offset + 1]) if offset >= 0 else b""
        fin = self.fin_queued and offset >= 0 and offset + len(data) == len(self.sndbuf)
        if data or fin:
            self.queued.append(self._segment(self.snd_una, ACK | (FIN if fin else 0), data))
            if seq_diff(self.snd_max, self.snd_una) < 1:
                self.snd_max = seq_add(self.snd_una, 1)
        self.persist_at = now + min(self.rto.rto * 2 ** self.probes, self.config.rto_max)

    # --- segments out ------------------------------------------------------------------------

    def output(self, now: float) -> list[Tcp]:
        """Everything owed now: queued segments, a SYN, data the windows allow, an ACK."""
        out, self.queued = self.queued, []
        if self.state is State.CLOSED:
            return out
        if self.state is State.SYN_SENT or self.state is State.SYN_RECEIVED:
            if self.snd_nxt == self.iss:
                out.append(self._syn(now))
        elif self.state is not State.TIME_WAIT:
            self._output_data(now, out)
        if self.ack_now and self.state is not State.SYN_SENT and not any(
                s.flags & ACK for s in out):
            # a bare ACK says snd_max, as BSD does: snd_nxt may have been wound back for a
            # retransmission, and the peer would find that sequence number old and drop it
            out.append(self._segment(self.snd_max, ACK))
        if any(s.flags & ACK for s in out):
            self.ack_now = False
            self.delack_at = None
            self.unacked_segments = 0
        return out

    def _syn(self, now: float) -> Tcp:
        flags = SYN | (ACK if self.state is State.SYN_RECEIVED else 0)
        seg = Tcp(self.local_port, self.remote_port, self.iss,
                  self.rq.nxt if self.rq is not None else 0, flags, self._advertise(),
                  options=TcpOptions(mss=self.config.mss))
        self.snd_nxt = seq_add(self.iss, 1)
        if seq_diff(self.snd_nxt, self.snd_max) > 0:
            self.snd_max = self.snd_nxt
            self.rtt_seq, self.rtt_sent = self.snd_nxt, now   # timed only when sent once
        if self.rexmit_at is None:
            self.rexmit_at = now + self.rto.rto
        return seg

    def _output_data(self, now: float, out: list[Tcp]) -> None:
        """Send what the send and congestion windows, Nagle and SWS avoidance allow."""
        mss = self.snd_mss
        while True:
            offset = seq_diff(self.snd_nxt, self.buf_seq)
            avail = max(0, len(self.sndbuf) - offset)
            usable = seq_diff(seq_add(self.snd_una, min(self.snd_wnd, self.cwnd)), self.snd_nxt)
            n = max(0, min(avail, usable, mss))
            fin = self.fin_queued and offset >= 0 and offset + n == len(self.sndbuf) \
                and seq_diff(self.snd_nxt, self._fin_seq()) <= 0 and usable > n
            if n == 0 and not fin:
                break
            if n < mss and not fin:
                flight = seq_diff(self.snd_nxt, self.snd_una)
                if n < avail and n < self.max_snd_wnd // 2:
                    break       # sender SWS avoidance (RFC 9293 3.8.6.2.1)
                if n == avail and flight > 0 and not self.nodelay:
                    break       # Nagle: one small segment in flight at a time
            data = bytes(self.sndbuf[offset:offset + n])
            out.append(self._segment(self.snd_nxt, ACK | (PSH if n == avail and n else 0)
                                     | (FIN if fin else 0), data))
            if self.rtt_seq is None and self.snd_nxt == self.snd_max:
                self.rtt_seq, self.rtt_sent = seq_add(self.snd_nxt, n + fin), now
            self.snd_nxt = seq_add(self.snd_nxt, n + fin)
            if seq_diff(self.snd_nxt, self.snd_max) > 0:
                self.snd_max = self.snd_nxt
            self.persist_at = None
            if self.rexmit_at is None:
                self.rexmit_at = now + self.rto.rto
        # Nothing in flight but something unsent (a closed or tiny window): the persist
        # timer probes, so a lost window update cannot deadlock us (RFC 9293 3.8.6.1)
        unsent = seq_diff(self._fin_seq(), self.snd_nxt) > 0 or (
            self.fin_queued and seq_diff(self.snd_nxt, self._fin_seq()) <= 0)
        if unsent and self.snd_nxt == self.snd_una and self.rexmit_at is None \
                and self.persist_at is None:
            self.persist_at = now + self.rto.rto

    def _advertise(self) -> int:
        """The window to send: the right edge moves only by a useful amount (receiver SWS
        avoidance, RFC 9293 3.8.6.2.2) and never back (3.8.6.2.1)."""
        if self.rq is None:
            return self.config.recv_buffer
        if self._window_moves():
            self.rcv_adv = self._window_edge()
        return max(0, min(seq_diff(self.rcv_adv, self.rq.nxt), 0xFFFF))

    def _window_edge(self) -> int:
        assert self.rq is not None
        return seq_add(self.rq.nxt, self.rq.space)

    def _window_moves(self) -> bool:
        """Is the possible edge far enough past the advertised one to be worth telling?"""
        assert self.rq is not None
        step = min(self.config.recv_buffer // 2, self.snd_mss)
        return seq_diff(self._window_edge(), self.rcv_adv) >= step

    def _segment(self, seq: int, flags: int, data: bytes = b"") -> Tcp:
        ack = self.rq.nxt if self.rq is not None else 0
        if self.rq is None:
            flags &= ~ACK
        return Tcp(self.local_port, self.remote_port, seq, ack, flags, self._advertise(), data)

    def _bare(self, seq: int, flags: int) -> Tcp:
        return Tcp(self.local_port, self.remote_port, seq, 0, flags, 0)
