package io.hactl.sync.engine;

import io.hactl.sync.conntrack.Flow;

/**
 * The conntrack mark bits that tell "written into this kernel by hactl from the peer's cache":
 * every flow a commit or a direct inject writes carries {@code value} under {@code mask}, so
 * that a restarted daemon, and a purge, tell the peer's flows from the node's own without any
 * table of what was written (the kernel keeps it, in the entry itself, across daemon restarts).
 * The bits are hactl's alone: the firewall's rules must leave them as they are (a rule that sets
 * the whole mark takes the flow over as the node's own).
 *
 * <p>They never travel: a flow goes into the internal cache, and so to the peer, with the bits
 * cleared, and a commit sets them over whatever the peer's flow carries there.
 *
 * @param value the bits set on written flows (not zero, within {@code mask})
 * @param mask  the mark bits hactl owns
 */
public record OwnerMark(long value, long mask) {
    /** The one default: bit 30, clear of the low bits rulesets use for routing marks. */
    public static final OwnerMark DEFAULT = new OwnerMark(0x4000_0000L, 0x4000_0000L);

    public OwnerMark {
        if (value == 0) {
            throw new IllegalArgumentException("owner mark 0 cannot tell written flows from others");
        }
        if (mask <= 0 || mask > 0xffff_ffffL) {
            throw new IllegalArgumentException("owner mark mask 0x" + Long.toHexString(mask) + " must be 1 to 32 bits");
        }
        if (value < 0 || (value & ~mask) != 0) {
            throw new IllegalArgumentException("owner mark 0x" + Long.toHexString(value) + " has bits outside its mask 0x"
                    + Long.toHexString(mask));
        }
    }

    /** Whether a kernel entry with this mark (or {@link Flow#ABSENT}) was written from the peer's cache. */
    public boolean marks(long mark) {
        return mark != Flow.ABSENT && (mark & mask) == value;
    }

    /** The mark to write for a flow of the peer that carries {@code mark} (or {@link Flow#ABSENT}). */
    public long apply(long mark) {
        return ((mark == Flow.ABSENT ? 0 : mark) & ~mask) | value;
    }

    /** {@code mark} without hactl's bits, as it goes to the caches and the peer. */
    public long strip(long mark) {
        return mark == Flow.ABSENT ? Flow.ABSENT : mark & ~mask;
    }

    @Override
    public String toString() {
        return "0x" + Long.toHexString(value) + "/0x" + Long.toHexString(mask);
    }
}
