package io.hactl.lab.bench;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.BatchResult;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.netlink.NetlinkException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The churn bench's load generator: creates and deletes flows in the master's kernel through
 * ctnetlink batched CT_NEW / CT_DELETE, paced per 10 ms slot, at a given number of changes per
 * second (creates + deletes, half each once the population is steady). Each flow lives a random
 * time, uniform in [{@link #MIN_LIFE_SLOTS}, {@link #MAX_LIFE_SLOTS}] slots, and its kernel
 * timeout outlives that, so only the generator deletes it. The mix: 85% TCP ESTABLISHED, 15%
 * UDP, both seen-reply and assured, as on a gateway.
 * <p>The first flow created in each slot is a probe (source 10.250.x.y, x.y its id, destination
 * {@code 198.51.100.99}) whose creation time is kept, for the replication lag
 * ({@link ProbeCapture}).
 * <p>{@link #prepopulate} first puts the steady population in place, with staggered remaining
 * lives, so that deletes run at full rate from the first slot of the timed window.
 */
final class ChurnLoad {
    static final long SLOT_NANOS = 10_000_000L;
    static final int MIN_LIFE_SLOTS = 50;
    static final int MAX_LIFE_SLOTS = 450;
    /** Probe ids are 16 bits (the last two bytes of the probe's source address). */
    static final int PROBE_IDS = 65_536;
    /** A probe's source address without its id (10.250), then its destination (198.51.100.99). */
    static final byte[] PROBE_SIGNATURE = {10, (byte) 250, (byte) 198, 51, 100, 99};
    /** Churn sources 10.64.0.0 - 10.127.255.255: one per flow created, so every tuple is new. */
    private static final int MAX_FLOWS = 64 << 16;

    private final Conntrack ct;
    private final int rate;
    private final int slots;
    private final SplittableRandom random;
    /** Flows by the slot of the window in which they are deleted; the last list holds those that outlive it. */
    private final List<List<Flow>> dueIn;
    private final long[] probeCreated = new long[PROBE_IDS];
    private int nextFlow;
    private int nextProbe;

    private long created;
    private long deleted;
    private long failed;
    private int lateSlots;
    private long worstBehindNanos;
    private long windowNanos;
    /** Slots of the same churn before the timed window: a daemon's one-time costs (its JIT) spent. */
    private final int warmupSlots;
    /** When the timed window began (System.nanoTime), 0 before. */
    private volatile long windowStart;
    /** The first probe of the timed window. */
    private volatile int firstWindowProbe;

    /** @param rate changes per second (creates + deletes); @param seconds length of the timed window */
    ChurnLoad(Conntrack ct, int rate, int seconds, long seed) {
        this(ct, rate, 0, seconds, seed);
    }

    /** As {@link #ChurnLoad(Conntrack, int, int, long)}, the window after {@code warmupSeconds} of the same churn. */
    ChurnLoad(Conntrack ct, int rate, int warmupSeconds, int seconds, long seed) {
        this.ct = ct;
        this.rate = rate;
        this.warmupSlots = warmupSeconds * 100;
        this.slots = (warmupSeconds + seconds) * 100;
        this.random = new SplittableRandom(seed);
        dueIn = new ArrayList<>(slots + 1);
        for (int i = 0; i <= slots; i++) {
            dueIn.add(new ArrayList<>());
        }
    }

    /** Creates per slot once steady: half the changes. */
    private double createsPerSlot() {
        return rate / 2.0 / 100;
    }

    /**
     * Creates the population the churn holds once steady (creates per slot times the mean life),
     * each with a remaining life uniform in [1, its drawn life] slots. Returns how many.
     */
    int prepopulate() throws NetlinkException, java.io.IOException {
        int n = (int) Math.round(createsPerSlot() * (MIN_LIFE_SLOTS + MAX_LIFE_SLOTS) / 2.0);
        long room = ct.count() + n;
        // read line-wise: Files.readString trusts the size procfs reports and returns a part
        long max = Long.parseLong(java.nio.file.Files.readAllLines(
                java.nio.file.Path.of("/proc/sys/net/netfilter/nf_conntrack_max")).get(0).strip());
        if (room > max * 9 / 10) {
            // a full table refuses creates and drops events: the bench would measure the limit, not the daemons
            throw new IllegalStateException("a churn of " + rate + " changes/s holds " + n + " flows on top of the "
                    + ct.count() + " there: above 90% of nf_conntrack_max " + max + "; raise it or lower the rate");
        }
        List<Flow> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Flow f = nextFlow();
            int life = random.nextInt(MIN_LIFE_SLOTS, MAX_LIFE_SLOTS + 1);
            dueIn.get(Math.min(random.nextInt(1, life + 1), slots)).add(f);
            batch.add(f);
        }
        BatchResult r = ct.batch(batch, BatchMode.CREATE);
        if (r.failed() > 0) {
            throw new IllegalStateException("prepopulation: " + r);
        }
        return n;
    }

    /**
     * The warm-up, if any, then the timed window: one slot every 10 ms, creates then deletes;
     * returns when the last slot is done. Counts, late slots and the held rate are the window's.
     */
    void run() throws NetlinkException {
        long t0 = System.nanoTime();
        double owed = 0;
        List<Flow> creates = new ArrayList<>();
        for (int k = 0; k < slots; k++) {
            long start = t0 + k * SLOT_NANOS;
            if (k == warmupSlots) {
                created = deleted = failed = 0;
                lateSlots = 0;
                worstBehindNanos = 0;
                firstWindowProbe = nextProbe;
                windowStart = System.nanoTime();
            }
            long behind = System.nanoTime() - start;
            if (behind < 0) {
                LockSupport.parkNanos(-behind); // pacing: the slot's start time
            } else if (behind > SLOT_NANOS) {
                lateSlots++;
            }
            worstBehindNanos = Math.max(worstBehindNanos, behind);

            owed += createsPerSlot();
            creates.clear();
            int probe = nextProbe < PROBE_IDS ? nextProbe++ : -1;
            if (probe >= 0) {
                creates.add(probeFlow(probe));
                owed--;
            }
            while (owed >= 1) {
                creates.add(nextFlow());
                owed--;
            }
            for (Flow f : creates) {
                int life = random.nextInt(MIN_LIFE_SLOTS, MAX_LIFE_SLOTS + 1);
                dueIn.get(Math.min(k + life, slots)).add(f);
            }
            if (probe >= 0) {
                probeCreated[probe] = System.nanoTime();
            }
            BatchResult c = ct.batch(creates, BatchMode.CREATE);
            created += c.succeeded();
            failed += c.failed();

            List<Flow> due = dueIn.get(k);
            if (!due.isEmpty()) {
                BatchResult d = ct.batchDelete(due);
                deleted += d.succeeded();
                failed += d.failed();
                dueIn.set(k, List.of());
            }
        }
        windowNanos = System.nanoTime() - windowStart;
    }

    /** When the timed window began (System.nanoTime), 0 while the warm-up runs. */
    long windowStart() {
        return windowStart;
    }

    /** The id of the first probe created in the timed window: the lag counts from it on. */
    int firstWindowProbe() {
        return firstWindowProbe;
    }

    private Flow nextFlow() {
        if (nextFlow >= MAX_FLOWS) {
            throw new IllegalStateException("the churn's source range is used up after " + MAX_FLOWS + " flows");
        }
        int i = nextFlow++;
        InetAddress src = v4(10, 64 + (i >>> 16), (i >>> 8) & 0xff, i & 0xff);
        int sport = random.nextInt(1024, 65_536);
        if (random.nextInt(100) < 15) {
            Tuple t = Tuple.udp(src, v4(198, 51, 100, 53), sport, 53);
            return Flow.builder(t).status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).timeout(180).build();
        }
        return tcp(Tuple.tcp(src, v4(203, 0, 113, 1 + i % 200), sport, 443));
    }

    private Flow probeFlow(int id) {
        return tcp(Tuple.tcp(v4(10, 250, id >>> 8, id & 0xff), v4(198, 51, 100, 99), 40_000, 443));
    }

    private static Flow tcp(Tuple t) {
        return Flow.builder(t).status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).timeout(600)
                .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build();
    }

    private static InetAddress v4(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Churn flows alive after the window (the prepopulation's included). */
    int live() {
        return dueIn.get(slots).size();
    }

    /** Changes per second held over the window (creates + deletes that succeeded). */
    double heldRate() {
        return (created + deleted) / (windowNanos / 1e9);
    }

    long created() {
        return created;
    }

    long deleted() {
        return deleted;
    }

    /** Writes the kernel refused. */
    long failed() {
        return failed;
    }

    /** Slots that started more than a slot late: the generator fell behind. */
    int lateSlots() {
        return lateSlots;
    }

    long worstBehindMillis() {
        return worstBehindNanos / 1_000_000;
    }

    int probes() {
        return nextProbe;
    }

    /** Creation time (System.nanoTime, just before its batch) of each probe id sent. */
    long[] probeCreated() {
        return probeCreated.clone();
    }
}
