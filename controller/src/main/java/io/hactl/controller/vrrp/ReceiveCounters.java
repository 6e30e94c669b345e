package io.hactl.controller.vrrp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts what the receive checks decided, by reason: written by the receiving thread, read by
 * status and metrics from any other.
 */
public final class ReceiveCounters {
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
    private final AtomicLongArray mismatches = new AtomicLongArray(Mismatch.values().length);

    /** Counts one verdict. */
    public void count(ReceiveVerdict verdict) {
        if (verdict.accepted()) {
            accepted.incrementAndGet();
            for (Mismatch m : verdict.mismatches()) {
                mismatches.incrementAndGet(m.ordinal());
            }
        } else {
            drops.incrementAndGet(verdict.drop().ordinal());
        }
    }

    public long accepted() {
        return accepted.get();
    }

    public long dropped(DropReason reason) {
        return drops.get(reason.ordinal());
    }

    public long mismatched(Mismatch kind) {
        return mismatches.get(kind.ordinal());
    }

    /** Drops by reason, every reason present (zeros included), in declaration order. */
    public Map<DropReason, Long> drops() {
        Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            out.put(r, drops.get(r.ordinal()));
        }
        return out;
    }

    /** Mismatches by kind, every kind present. */
    public Map<Mismatch, Long> mismatches() {
        Map<Mismatch, Long> out = new EnumMap<>(Mismatch.class);
        for (Mismatch m : Mismatch.values()) {
            out.put(m, mismatches.get(m.ordinal()));
        }
        return out;
    }
}
