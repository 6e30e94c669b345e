package io.hactl.sync.ctnetlink;

import java.util.concurrent.atomic.AtomicLong;

/** Counts what decoding kernel messages skipped or rejected; shown by {@code hactl stats}. */
public final class DecodeStats {
    /** Attributes of a type this codec does not know (a newer kernel): skipped. */
    public final AtomicLong unknownAttributes = new AtomicLong();
    /** Messages that could not be decoded (bad lengths, missing tuples): dropped. */
    public final AtomicLong malformedMessages = new AtomicLong();
    /** Messages of an unexpected type on a conntrack socket: ignored. */
    public final AtomicLong unexpectedMessages = new AtomicLong();

    @Override
    public String toString() {
        return "unknownAttributes=" + unknownAttributes + " malformedMessages=" + malformedMessages
                + " unexpectedMessages=" + unexpectedMessages;
    }
}
