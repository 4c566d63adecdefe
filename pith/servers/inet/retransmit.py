"""The retransmission timeout of one TCP connection (RFC 6298), and its numbers.

Pure arithmetic on the samples it is given; touches nothing else. Entry points:
`RtoEstimator.sample(rtt)` (a measured round trip, never of a retransmitted segment: Karn's
rule is the caller's), `.backoff()` (a timer expired: double, bounded), `.rto`.
"""

from __future__ import annotations

__all__ = ["RTO_INITIAL", "RTO_MAX", "RTO_MIN", "RtoEstimator"]

RTO_INITIAL = 1.0    # RFC 6298 2.1
RTO_MIN = 0.2        # Linux's floor; RFC 6298 2.4 suggests 1 s (a SHOULD, written for 1988)
RTO_MAX = 60.0       # RFC 6298 2.5: "a maximum value MAY be placed ... at least 60 s"
_ALPHA, _BETA, _K = 1 / 8, 1 / 4, 4
_GRANULARITY = 0.001  # G: time is a float of seconds, so a millisecond is a fair clock tick


class RtoEstimator:
    """SRTT, RTTVAR and RTO. Invariant: RTO_MIN <= rto <= RTO_MAX."""

    def __init__(self, rto_min: float = RTO_MIN, rto_max: float = RTO_MAX) -> None:
        self.srtt: float | None = None
        self.rttvar = 0.0
        self.rto_min, self.rto_max = rto_min, rto_max
        self.rto = min(max(RTO_INITIAL, rto_min), rto_max)

    def sample(self, rtt: float) -> None:
        """RFC 6298 2.2 and 2.3; a new sample also ends any backoff (5.7)."""
        rtt = max(rtt, 0.0)
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2
        else:
            self.rttvar = (1 - _BETA) * self.rttvar + _BETA * abs(self.srtt - rtt)
            self.srtt = (1 - _ALPHA) * self.srtt + _ALPHA * rtt
        self._set(self.srtt + max(_GRANULARITY, _K * self.rttvar))

    def backoff(self) -> None:
        """RFC 6298 5.5: the timer expired, RTO <- 2 * RTO (bounded by the maximum)."""
        self._set(self.rto * 2)

    def _set(self, rto: float) -> None:
        self.rto = min(max(rto, self.rto_min), self.rto_max)
