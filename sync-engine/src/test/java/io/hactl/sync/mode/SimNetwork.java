package io.hactl.sync.mode;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * A deterministic lossy link between two simulated nodes: each datagram may be dropped,
 * duplicated, or delayed (which reorders), with a seeded random source and a simulated clock.
 */
final class SimNetwork {
    record InFlight(long at, SimNode to, ByteBuffer bytes) {}

    final Random rnd;
    double loss;
    double duplicate;
    long delayNanos = 1_000_000;
    long jitterNanos;
    boolean cut;
    /** Datagrams towards this node are all lost (a one-way cut); null for none. */
    SimNode cutTowards;
    long now = 1_000_000_000L;
    private final List<InFlight> inFlight = new ArrayList<>();
    long delivered;
    /** Sees a copy of every datagram sent, lost or not; null for none. */
    java.util.function.Consumer<ByteBuffer> record;
    long dropped;

    SimNetwork(long seed) {
        rnd = new Random(seed);
    }

    /** A sink for datagrams that {@code to} should receive. */
    java.util.function.Consumer<ByteBuffer> towards(java.util.function.Supplier<SimNode> to) {
        return buf -> {
            if (record != null) {
                record.accept(ByteBuffer.allocate(buf.remaining()).put(buf.duplicate()).flip());
            }
            if (cut || to.get() == cutTowards || rnd.nextDouble() < loss) {
                dropped++;
                return;
            }
            int copies = rnd.nextDouble() < duplicate ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                long jitter = jitterNanos > 0 ? (long) (rnd.nextDouble() * jitterNanos) : 0;
                ByteBuffer copy = ByteBuffer.allocate(buf.remaining()).put(buf.duplicate()).flip();
                inFlight.add(new InFlight(now + delayNanos + jitter, to.get(), copy));
            }
        };
    }

    /** Advances the clock by {@code step}, delivering what is due and ticking both nodes. */
    void step(long stepNanos, SimNode a, SimNode b) {
        now += stepNanos;
        deliverDue();
        a.mode.tick(now);
        b.mode.tick(now);
        deliverDue();
    }

    private void deliverDue() {
        boolean any = true;
        while (any) {
            any = false;
            List<InFlight> due = new ArrayList<>();
            for (Iterator<InFlight> it = inFlight.iterator(); it.hasNext();) {
                InFlight f = it.next();
                if (f.at() <= now) {
                    due.add(f);
                    it.remove();
                }
            }
            due.sort((x, y) -> Long.compare(x.at(), y.at()));
            for (InFlight f : due) {
                delivered++;
                f.to().receiver.receive(f.bytes(), now);
                any = true;
            }
        }
    }

    int inFlight() {
        return inFlight.size();
    }
}
