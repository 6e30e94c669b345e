package io.hactl.sync.cache;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;

import static io.hactl.sync.cache.TestFlows.ip;
import static io.hactl.sync.cache.TestFlows.withoutId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowStoreTest {

    private static FlowStore store(int limit, int initialCapacity) {
        return new FlowStore("test", limit, initialCapacity, 0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
    }

    @Test
    void putThenGetGivesTheFlowBackWithoutItsId() {
        FlowStore s = new FlowStore("internal", 100);
        Flow f = TestFlows.tcp4(1);
        assertThat(s.put(f, 10)).isEqualTo(PutResult.NEW);
        assertThat(s.size()).isEqualTo(1);
        assertThat(s.get(f.orig(), 0)).isEqualTo(withoutId(f));
        int h = s.handleOf(f.orig(), 0);
        assertThat(h).isNotEqualTo(FlowStore.NO_HANDLE);
        assertThat(s.flowAt(h)).isEqualTo(withoutId(f));
        assertThat(s.updatedAt(h)).isEqualTo(10);
        assertThat(s.get(TestFlows.tcp4(2).orig(), 0)).isNull();
        assertThat(s.handleOf(TestFlows.tcp4(2).orig(), 0)).isEqualTo(FlowStore.NO_HANDLE);
    }

    @Test
    void lastPutHandleNamesTheFlowEachPutStoredOrFound() {
        FlowStore s = new FlowStore("external", 2);
        assertThat(s.lastPutHandle()).isEqualTo(FlowStore.NO_HANDLE);
        byte[] one = CompactFlow.encode(TestFlows.tcp4(1));
        byte[] two = CompactFlow.encode(TestFlows.tcp4(2));
        assertThat(s.putEncoded(one, 1)).isEqualTo(PutResult.NEW);
        int h1 = s.lastPutHandle();
        assertThat(s.putEncoded(two, 2)).isEqualTo(PutResult.NEW);
        int h2 = s.lastPutHandle();
        assertThat(h1).isEqualTo(s.handleOfEncoded(one)).isNotEqualTo(h2);
        assertThat(h2).isEqualTo(s.handleOfEncoded(two));
        assertThat(s.putEncoded(one.clone(), 3)).isEqualTo(PutResult.UNCHANGED);
        assertThat(s.lastPutHandle()).isEqualTo(h1);
        // full: a refused flow has no handle, and the previous one is not reported as its
        assertThat(s.putEncoded(CompactFlow.encode(TestFlows.tcp4(3)), 4)).isEqualTo(PutResult.REFUSED_FULL);
        assertThat(s.lastPutHandle()).isEqualTo(FlowStore.NO_HANDLE);
    }

    @Test
    void lastPutPreviousUpdatedAtIsTheFoundFlowsTimeBeforeThePut() {
        FlowStore s = new FlowStore("external", 2);
        byte[] one = CompactFlow.encode(TestFlows.tcp4(1));
        assertThat(s.putEncoded(one, 10)).isEqualTo(PutResult.NEW);
        assertThat(s.lastPutPreviousUpdatedAt()).isZero();
        assertThat(s.putEncoded(one.clone(), 20)).isEqualTo(PutResult.UNCHANGED);
        assertThat(s.lastPutPreviousUpdatedAt()).isEqualTo(10);
        assertThat(s.updatedAt(s.lastPutHandle())).isEqualTo(20);
        byte[] changed = CompactFlow.encode(TestFlows.tcp4(1).toBuilder().timeout(7).build());
        assertThat(s.putEncoded(changed, 30)).isEqualTo(PutResult.UPDATED);
        assertThat(s.lastPutPreviousUpdatedAt()).isEqualTo(20);
        assertThat(s.putEncodedIfAbsent(one, 40)).isEqualTo(PutResult.UNCHANGED);
        assertThat(s.lastPutPreviousUpdatedAt()).isEqualTo(30);
        assertThat(s.putEncoded(CompactFlow.encode(TestFlows.tcp4(2)), 50)).isEqualTo(PutResult.NEW);
        assertThat(s.lastPutPreviousUpdatedAt()).isZero();
        assertThat(s.putEncoded(CompactFlow.encode(TestFlows.tcp4(3)), 60)).isEqualTo(PutResult.REFUSED_FULL);
        assertThat(s.lastPutPreviousUpdatedAt()).isZero();
    }

    @Test
    void putIfAbsentLeavesAHeldFlowAsItIsAndAddsAnother() {
        FlowStore s = new FlowStore("internal", 2);
        byte[] one = CompactFlow.encode(TestFlows.tcp4(1));
        byte[] changed = CompactFlow.encode(TestFlows.tcp4(1).toBuilder().timeout(7).build());
        assertThat(s.putEncoded(one, 1)).isEqualTo(PutResult.NEW);
        int h1 = s.lastPutHandle();
        assertThat(s.putEncodedIfAbsent(changed, 2)).isEqualTo(PutResult.UNCHANGED);
        assertThat(s.lastPutHandle()).isEqualTo(h1);
        assertThat(s.encodingAt(h1)).isEqualTo(one).isNotSameAs(one);
        assertThat(s.updatedAt(h1)).as("not even its time").isEqualTo(1);
        byte[] two = CompactFlow.encode(TestFlows.tcp4(2));
        assertThat(s.putEncodedIfAbsent(two, 3)).isEqualTo(PutResult.NEW);
        assertThat(s.encodingAt(s.lastPutHandle())).isEqualTo(two);
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.putEncodedIfAbsent(CompactFlow.encode(TestFlows.tcp4(3)), 4)).isEqualTo(PutResult.REFUSED_FULL);
        assertThat(s.stats().inserted()).isEqualTo(2);
    }

    @Test
    void reservingForMoreFlowsKeepsWhatIsHeldFindable() {
        FlowStore s = new FlowStore("internal", 100_000);
        for (int i = 1; i <= 10; i++) {
            s.put(TestFlows.tcp4(i), i);
        }
        s.reserve(50_000);
        s.reserve(10); // never shrinks
        for (int i = 1; i <= 10; i++) {
            assertThat(s.handleOf(TestFlows.tcp4(i).orig(), 0)).isNotEqualTo(FlowStore.NO_HANDLE);
        }
        assertThat(s.putEncoded(CompactFlow.encode(TestFlows.tcp4(11)), 11)).isEqualTo(PutResult.NEW);
        assertThat(s.size()).isEqualTo(11);
        assertThat(s.estimatedHeapBytes()).as("the index and the per-flow arrays sized for 50,000")
                .isGreaterThan(4L * 65_536 + 16L * 50_000);
    }

    @Test
    void lastUpdateOnlyTimeoutTellsAnUpdateOfTheTimeoutAloneFromAnyOtherPut() {
        FlowStore s = new FlowStore("internal", 2);
        byte[] one = CompactFlow.encode(TestFlows.tcp4(1));
        byte[] changed = CompactFlow.encode(TestFlows.tcp4(1).toBuilder().timeout(7).build());
        byte[] marked = CompactFlow.encode(TestFlows.tcp4(1).toBuilder().timeout(7).mark(9).build());
        assertThat(s.putEncoded(one, 1)).isEqualTo(PutResult.NEW);
        assertThat(s.lastUpdateOnlyTimeout()).isFalse();
        assertThat(s.putEncoded(changed, 2)).isEqualTo(PutResult.UPDATED);
        assertThat(s.lastUpdateOnlyTimeout()).isTrue();
        assertThat(s.putEncoded(changed.clone(), 3)).isEqualTo(PutResult.UNCHANGED);
        assertThat(s.lastUpdateOnlyTimeout()).isFalse();
        assertThat(s.putEncoded(marked, 4)).isEqualTo(PutResult.UPDATED);
        assertThat(s.lastUpdateOnlyTimeout()).as("the mark changed too").isFalse();
        s.putEncoded(one, 5);
        assertThat(s.lastUpdateOnlyTimeout()).as("a longer encoding replaced by a shorter one").isFalse();
        s.putEncoded(CompactFlow.encode(TestFlows.tcp4(2)), 6);
        assertThat(s.putEncoded(CompactFlow.encode(TestFlows.tcp4(3)), 7)).isEqualTo(PutResult.REFUSED_FULL);
        assertThat(s.lastUpdateOnlyTimeout()).isFalse();
    }

    @Test
    void swapFlowsExchangesTheFlowsAndKeepsEachStoreFindingItsNewOnes() {
        FlowStore a = new FlowStore("internal", 1_000);
        FlowStore b = new FlowStore("external", 1_000);
        for (int i = 0; i < 300; i++) {
            a.put(TestFlows.tcp4(i), i);
        }
        for (int i = 1_000; i < 1_010; i++) {
            b.put(TestFlows.tcp6(i), i);
        }
        int h = a.handleOf(TestFlows.tcp4(7).orig(), 0);
        a.swapFlows(b);
        assertThat(a.size()).isEqualTo(10);
        assertThat(b.size()).isEqualTo(300);
        assertThat(b.handleOf(TestFlows.tcp4(7).orig(), 0)).as("the same handle, now in the other store").isEqualTo(h);
        assertThat(b.get(TestFlows.tcp4(7).orig(), 0)).isEqualTo(withoutId(TestFlows.tcp4(7)));
        assertThat(a.get(TestFlows.tcp4(7).orig(), 0)).isNull();
        assertThat(a.get(TestFlows.tcp6(1_003).orig(), 0)).isEqualTo(withoutId(TestFlows.tcp6(1_003)));
        assertThat(a.putEncoded(CompactFlow.encode(TestFlows.tcp4(7)), 5)).isEqualTo(PutResult.NEW);
        assertThat(b.putEncoded(CompactFlow.encode(TestFlows.tcp4(7)), 5)).isEqualTo(PutResult.UNCHANGED);
        b.stampAll(42);
        assertThat(b.updatedAt(h)).isEqualTo(42);
        assertThat(a.updatedAt(a.handleOf(TestFlows.tcp6(1_003).orig(), 0))).isEqualTo(1_003);
        assertThatThrownBy(() -> a.swapFlows(new FlowStore("other", 999))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
    }

    @Test
    void samePutIsUnchangedButRefreshesTheTimestamp() {
        FlowStore s = new FlowStore("internal", 100);
        Flow f = TestFlows.tcp4(1);
        s.put(f, 10);
        assertThat(s.put(f, 20)).isEqualTo(PutResult.UNCHANGED);
        assertThat(s.put(f.toBuilder().id(99).build(), 30)).as("the kernel id is not state").isEqualTo(PutResult.UNCHANGED);
        assertThat(s.updatedAt(s.handleOf(f.orig(), 0))).isEqualTo(30);
        assertThat(s.stats().unchanged()).isEqualTo(2);
    }

    @Test
    void changedStateIsAnUpdateInPlace() {
        FlowStore s = new FlowStore("internal", 100);
        Flow f = TestFlows.tcp4(1);
        s.put(f, 10);
        int h = s.handleOf(f.orig(), 0);
        Flow closing = f.toBuilder().protoInfo(TcpInfo.ofState(TcpInfo.FIN_WAIT)).timeout(120).build();
        assertThat(s.put(closing, 20)).isEqualTo(PutResult.UPDATED);
        assertThat(s.handleOf(f.orig(), 0)).isEqualTo(h);
        assertThat(s.get(f.orig(), 0)).isEqualTo(withoutId(closing));
        assertThat(s.updatedAt(h)).isEqualTo(20);
        assertThat(s.size()).isEqualTo(1);
        CacheStats st = s.stats();
        assertThat(st.inserted()).isEqualTo(1);
        assertThat(st.updated()).isEqualTo(1);
    }

    @Test
    void zoneIsPartOfTheKey() {
        FlowStore s = new FlowStore("internal", 100);
        Flow f = TestFlows.tcp4(1);
        Flow inZone = f.toBuilder().zone(5).build();
        assertThat(s.put(f, 1)).isEqualTo(PutResult.NEW);
        assertThat(s.put(inZone, 1)).isEqualTo(PutResult.NEW);
        assertThat(s.get(f.orig(), 5)).isEqualTo(withoutId(inZone));
        assertThat(s.remove(f.orig(), 0)).isTrue();
        assertThat(s.get(f.orig(), 5)).isNotNull();
        assertThat(s.get(f.orig(), 0)).isNull();
    }

    @Test
    void removeForgetsTheFlowAndItsHandle() {
        FlowStore s = new FlowStore("internal", 100);
        Flow f = TestFlows.tcp4(1);
        s.put(f, 1);
        int h = s.handleOf(f.orig(), 0);
        assertThat(s.remove(f.orig(), 0)).isTrue();
        assertThat(s.remove(f.orig(), 0)).isFalse();
        assertThat(s.get(f.orig(), 0)).isNull();
        assertThat(s.size()).isZero();
        assertThat(s.isLive(h)).isFalse();
        assertThatThrownBy(() -> s.flowAt(h)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("internal cache: handle " + h);
        assertThat(s.stats().removed()).isEqualTo(1);
    }

    @Test
    void removeAtRemovesByHandle() {
        FlowStore s = store(100, 4);
        for (int i = 0; i < 20; i++) {
            s.put(TestFlows.tcp4(i), i);
        }
        int h = s.handleOf(TestFlows.tcp4(7).orig(), 0);
        s.removeAt(h);
        assertThat(s.get(TestFlows.tcp4(7).orig(), 0)).isNull();
        assertThat(s.size()).isEqualTo(19);
        for (int i = 0; i < 20; i++) {
            assertThat(s.get(TestFlows.tcp4(i).orig(), 0) != null).isEqualTo(i != 7);
        }
    }

    @Test
    void handlesStayStableThroughGrowthAndOtherRemovals() {
        FlowStore s = store(1_000_000, 2);
        Map<Integer, Integer> handles = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            s.put(TestFlows.tcp4(i), i);
            handles.put(i, s.handleOf(TestFlows.tcp4(i).orig(), 0));
        }
        for (int i = 20; i < 20_000; i++) { // many rounds of growth of both the arrays and the index
            s.put(TestFlows.tcp4(i), i);
        }
        for (int i = 0; i < 20; i += 2) {
            s.remove(TestFlows.tcp4(i).orig(), 0);
        }
        for (int i = 1; i < 20; i += 2) {
            assertThat(s.handleOf(TestFlows.tcp4(i).orig(), 0)).isEqualTo(handles.get(i));
            assertThat(s.flowAt(handles.get(i))).isEqualTo(withoutId(TestFlows.tcp4(i)));
            assertThat(s.updatedAt(handles.get(i))).isEqualTo(i);
        }
    }

    @Test
    void freedHandlesAreReused() {
        FlowStore s = store(100, 4);
        s.put(TestFlows.tcp4(1), 1);
        s.put(TestFlows.tcp4(2), 1);
        int h1 = s.handleOf(TestFlows.tcp4(1).orig(), 0);
        s.remove(TestFlows.tcp4(1).orig(), 0);
        s.put(TestFlows.tcp4(3), 1);
        assertThat(s.handleOf(TestFlows.tcp4(3).orig(), 0)).isEqualTo(h1);
    }

    @Test
    void newFlowsBeyondTheLimitAreRefusedAndCountedWhileUpdatesGoOn() {
        FlowStore s = store(3, 1);
        assertThat(s.limit()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(s.put(TestFlows.tcp4(i), 1)).isEqualTo(PutResult.NEW);
        }
        assertThat(s.put(TestFlows.tcp4(3), 1)).isEqualTo(PutResult.REFUSED_FULL);
        assertThat(s.put(TestFlows.tcp4(4), 1)).isEqualTo(PutResult.REFUSED_FULL);
        assertThat(s.refusals()).isEqualTo(2);
        assertThat(s.stats().refusedFull()).isEqualTo(2);
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.get(TestFlows.tcp4(3).orig(), 0)).isNull();
        Flow changed = TestFlows.tcp4(0).toBuilder().timeout(5).build();
        assertThat(s.put(changed, 2)).isEqualTo(PutResult.UPDATED);

        s.remove(TestFlows.tcp4(1).orig(), 0);
        assertThat(s.put(TestFlows.tcp4(3), 3)).isEqualTo(PutResult.NEW);
        assertThat(s.refusals()).isEqualTo(2);
    }

    @Test
    void limitMustBePositive() {
        assertThatThrownBy(() -> new FlowStore("external", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("external cache: limit 0");
    }

    @Test
    void mastersComeBeforeRelatedFlows() {
        FlowStore s = store(100, 4);
        List<Flow> all = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Flow f = TestFlows.tcp4(i);
            if (i % 3 == 0) { // a related flow of the previous one, inserted before some masters
                f = f.toBuilder().master(TestFlows.tcp4(i + 1).orig()).helper("ftp").build();
            }
            all.add(f);
            s.put(f, i);
        }
        List<Flow> seen = new ArrayList<>();
        s.forEachMastersFirst((h, t) -> seen.add(s.flowAt(h)));
        assertThat(seen).hasSize(30);
        int firstRelated = 0;
        while (seen.get(firstRelated).master() == null) {
            firstRelated++;
        }
        assertThat(firstRelated).isEqualTo(20);
        assertThat(seen.subList(firstRelated, 30)).allMatch(f -> f.master() != null);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(all.stream().map(TestFlows::withoutId).toList());
    }

    @Test
    void forEachVisitsEveryFlowWithItsTimestampAndToleratesRemoval() {
        FlowStore s = store(100, 4);
        for (int i = 0; i < 10; i++) {
            s.put(TestFlows.tcp4(i), 1000 + i);
        }
        Map<Flow, Long> seen = new HashMap<>();
        s.forEach((h, f, t) -> {
            seen.put(f, t);
            s.removeAt(h); // e.g. a purge
        });
        assertThat(seen).hasSize(10);
        for (int i = 0; i < 10; i++) {
            assertThat(seen).containsEntry(withoutId(TestFlows.tcp4(i)), 1000L + i);
        }
        assertThat(s.size()).isZero();
    }

    @Test
    void forEachEncodedVisitsCopiesOfTheStoredEncodingsWithTheirTimestamps() throws Exception {
        FlowStore s = store(100, 4);
        for (int i = 0; i < 10; i++) {
            s.put(TestFlows.tcp4(i), 1000 + i);
        }
        s.remove(TestFlows.tcp4(3).orig(), 0);
        Map<Flow, Long> seen = new HashMap<>();
        s.forEachEncoded((h, enc, t) -> {
            assertThat(enc).isEqualTo(s.encodingAt(h));
            try {
                seen.put(CompactFlow.decode(enc), t);
            } catch (CompactFlowException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(seen).hasSize(9).doesNotContainKey(withoutId(TestFlows.tcp4(3)));
        for (int i : new int[] {0, 1, 2, 4, 9}) {
            assertThat(seen).containsEntry(withoutId(TestFlows.tcp4(i)), 1000L + i);
        }
    }

    @Test
    void cursorWalksLiveHandlesInOrder() {
        FlowStore s = store(100, 4);
        for (int i = 0; i < 10; i++) {
            s.put(TestFlows.tcp4(i), i);
        }
        s.remove(TestFlows.tcp4(0).orig(), 0);
        s.remove(TestFlows.tcp4(5).orig(), 0);
        List<Integer> walked = new ArrayList<>();
        for (int h = s.nextHandle(0); h != FlowStore.NO_HANDLE; h = s.nextHandle(h + 1)) {
            walked.add(h);
            assertThat(s.isLive(h)).isTrue();
        }
        assertThat(walked).hasSize(8).isSorted();
    }

    @Test
    void encodingAtIsTheWireForm() {
        FlowStore s = store(100, 4);
        Flow f = TestFlows.everything();
        s.put(f, 1);
        int h = s.handleOf(f.orig(), f.zone());
        assertThat(s.encodingAt(h)).isEqualTo(CompactFlow.encode(f));
    }

    @Test
    void clearEmptiesButKeepsCountersAndCapacity() {
        FlowStore s = store(100, 4);
        for (int i = 0; i < 50; i++) {
            s.put(TestFlows.tcp4(i), i);
        }
        long heapFull = s.estimatedHeapBytes();
        s.clear();
        assertThat(s.size()).isZero();
        assertThat(s.get(TestFlows.tcp4(1).orig(), 0)).isNull();
        assertThat(s.nextHandle(0)).isEqualTo(FlowStore.NO_HANDLE);
        assertThat(s.stats().inserted()).isEqualTo(50);
        assertThat(s.estimatedHeapBytes()).isLessThan(heapFull);
        assertThat(s.estimatedHeapBytes()).as("the arrays keep their capacity for the refill")
                .isGreaterThan(store(100, 4).estimatedHeapBytes());
        assertThat(s.put(TestFlows.tcp4(1), 1)).isEqualTo(PutResult.NEW);
        for (int i = 0; i < 50; i++) {
            s.put(TestFlows.tcp4(i), i);
        }
        assertThat(s.size()).isEqualTo(50);
        assertThat(s.estimatedHeapBytes()).isEqualTo(heapFull);
        for (int i = 0; i < 50; i++) {
            assertThat(s.get(TestFlows.tcp4(i).orig(), 0)).isEqualTo(withoutId(TestFlows.tcp4(i)));
        }
    }

    @Test
    void differentFamiliesAndProtocolsWithEqualLookingBytesStayApart() {
        FlowStore s = store(100, 4);
        Tuple tcp = Tuple.tcp(ip("10.0.0.1"), ip("10.0.0.2"), 1, 2);
        Tuple udp = Tuple.udp(ip("10.0.0.1"), ip("10.0.0.2"), 1, 2);
        Tuple other = Tuple.other(ip("10.0.0.1"), ip("10.0.0.2"), 50);
        Tuple v6 = Tuple.tcp(ip(TestFlows.mapped(10, 0, 0, 1)), ip(TestFlows.mapped(10, 0, 0, 2)), 1, 2);
        for (Tuple t : List.of(tcp, udp, other, v6)) {
            assertThat(s.put(Flow.builder(t).build(), 1)).isEqualTo(PutResult.NEW);
        }
        for (Tuple t : List.of(tcp, udp, other, v6)) {
            assertThat(s.get(t, 0).orig()).isEqualTo(t);
        }
    }

    /** Random puts and removes over a small key space, checked against a HashMap after every step. */
    @Test
    void behavesLikeAMapUnderRandomPutsAndRemoves() {
        FlowStore s = store(100_000, 1);
        Map<Tuple, Flow> model = new HashMap<>();
        Map<Tuple, Integer> handles = new HashMap<>();
        Random r = new Random(3);
        List<Flow> keys = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            keys.add(i % 2 == 0 ? TestFlows.tcp4(i) : TestFlows.tcp6(i));
        }
        for (int step = 0; step < 200_000; step++) {
            Flow f = keys.get(r.nextInt(keys.size()));
            Tuple k = f.orig();
            if (r.nextInt(3) == 0) {
                assertThat(s.remove(k, 0)).isEqualTo(model.remove(k) != null);
                handles.remove(k);
            } else {
                Flow v = r.nextBoolean() ? f : f.toBuilder().timeout(r.nextInt(4)).build();
                Flow old = model.put(k, withoutId(v));
                PutResult res = s.put(v, step);
                assertThat(res).isEqualTo(old == null ? PutResult.NEW : old.equals(withoutId(v)) ? PutResult.UNCHANGED : PutResult.UPDATED);
                int h = s.handleOf(k, 0);
                Integer before = handles.putIfAbsent(k, h);
                assertThat(before == null || before == h).as("handle of a held flow is stable").isTrue();
            }
            Flow probe = keys.get(r.nextInt(keys.size()));
            assertThat(s.get(probe.orig(), 0)).isEqualTo(model.get(probe.orig()));
        }
        assertThat(s.size()).isEqualTo(model.size());
        for (Flow f : keys) {
            assertThat(s.get(f.orig(), 0)).isEqualTo(model.get(f.orig()));
        }
        Map<Tuple, Flow> walked = new HashMap<>();
        s.forEach((h, f, t) -> walked.put(f.orig(), f));
        assertThat(walked).isEqualTo(model);
    }

    @Test
    void holds250kFlows() {
        int n = 250_000;
        FlowStore s = new FlowStore("internal", n);
        int[] handles = new int[n];
        for (int i = 0; i < n; i++) {
            assertThat(s.put(TestFlows.tcp4(i), i)).isEqualTo(PutResult.NEW);
            handles[i] = s.handleOf(TestFlows.tcp4(i).orig(), 0);
        }
        assertThat(s.size()).isEqualTo(n);
        assertThat(s.put(TestFlows.tcp4(n), 0)).isEqualTo(PutResult.REFUSED_FULL);
        for (int i = 0; i < n; i += 7) {
            assertThat(s.handleOf(TestFlows.tcp4(i).orig(), 0)).isEqualTo(handles[i]);
            assertThat(s.flowAt(handles[i])).isEqualTo(withoutId(TestFlows.tcp4(i)));
        }
        int[] count = {0};
        s.forEach((h, f, t) -> count[0]++);
        assertThat(count[0]).isEqualTo(n);
        assertThat(s.stats().bytesPerFlow()).isLessThanOrEqualTo(200);
    }

    @Test
    void sipHashMatchesTheReferenceVectors() {
        // SipHash-2-4 paper, appendix A / reference vectors.h: key 00..0f, message 00..(len-1)
        KeyHash h = new KeyHash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
        byte[] msg = new byte[64];
        for (int i = 0; i < msg.length; i++) {
            msg[i] = (byte) i;
        }
        assertThat(h.sipHash24(msg, 0)).isEqualTo(0x726fdb47dd0e0e31L);
        assertThat(h.sipHash24(msg, 8)).isEqualTo(0x93f5f5799a932462L);
        assertThat(h.sipHash24(msg, 15)).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void keysFromTheWireFindAndRemoveFlowsAndMalformedKeysMatchNothing() throws Exception {
        FlowStore store = new FlowStore("external", 100);
        io.hactl.sync.conntrack.Flow f = io.hactl.sync.conntrack.Flow.builder(io.hactl.sync.conntrack.Tuple.tcp(
                java.net.InetAddress.getByName("10.0.0.1"), java.net.InetAddress.getByName("10.0.0.2"), 1, 2))
                .timeout(5).zone(3).build();
        store.put(f, 1);
        byte[] key = CompactFlow.encodeKey(f.orig(), 3);
        int h = store.handleOfKey(key);
        assertThat(h).isNotEqualTo(FlowStore.NO_HANDLE);
        assertThat(store.keyAt(h)).isEqualTo(key);
        assertThat(store.handleOfKey(java.util.Arrays.copyOf(key, key.length - 1))).isEqualTo(FlowStore.NO_HANDLE);
        assertThat(store.handleOfKey(new byte[0])).isEqualTo(FlowStore.NO_HANDLE);
        assertThat(store.handleOfKey(CompactFlow.encodeKey(f.orig(), 4))).isEqualTo(FlowStore.NO_HANDLE);
        byte[] badFamily = key.clone();
        badFamily[1] = 7;
        assertThat(store.handleOfKey(badFamily)).isEqualTo(FlowStore.NO_HANDLE);
        store.removeAt(h);
        assertThat(store.size()).isZero();
        assertThat(store.handleOfKey(key)).isEqualTo(FlowStore.NO_HANDLE);
    }
}
