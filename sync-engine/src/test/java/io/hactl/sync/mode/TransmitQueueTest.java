package io.hactl.sync.mode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.mode.TransmitQueue.BulkCursor;
import io.hactl.sync.mode.TransmitQueue.Ctl;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.MessageType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransmitQueueTest {
    private final Map<FlowKey, byte[]> flows = new HashMap<>();
    private final StateSource source = new StateSource() {
        @Override
        public byte[] current(FlowKey key) {
            return flows.get(key);
        }

        @Override
        public FlowKey keyOf(byte[] flow) {
            return new FlowKey(new byte[] {flow[0]});
        }

        @Override
        public int flows() {
            return flows.size();
        }
    };
    private final SyncStats stats = new SyncStats();
    private final TransmitQueue queue = new TransmitQueue(source, stats);

    private static FlowKey key(int b) {
        return new FlowKey(new byte[] {(byte) b});
    }

    private List<Object> items() {
        List<Object> out = new ArrayList<>();
        queue.iterator().forEachRemaining(out::add);
        return out;
    }

    @Test
    void aFlowQueuedTwiceKeepsItsFirstPlaceAndIsSentOnce() {
        queue.add(key(1));
        queue.add(key(2));
        queue.add(key(1));

        assertThat(items()).containsExactly(key(1), key(2));
        assertThat(stats.transmitQueueDepth.get()).isEqualTo(2);
    }

    @Test
    void aQueuedFlowIsBuiltWithItsStateAtSendTimeOrAsADeleteWhenGone() {
        flows.put(key(1), new byte[] {1, 42});

        assertThat(queue.build(key(1), 7)).isEqualTo(new Message.FlowUpdate(7, new byte[] {1, 42}));
        assertThat(queue.build(key(2), 8)).isEqualTo(new Message.FlowDelete(8, new byte[] {2}));
        assertThat(queue.build(new Ctl(new Message.Handover(0)), 9)).isEqualTo(new Message.Handover(9));
    }

    @Test
    void aSecondResyncRequestWaitsNotWhileOneIsQueuedButAfterItWasSent() {
        Ctl first = new Ctl(new Message.ResyncRequest(0));
        queue.addResyncRequest(first);
        queue.addResyncRequest(new Ctl(new Message.ResyncRequest(0)));
        assertThat(items()).containsExactly(first);

        Iterator<Object> it = queue.iterator();
        it.next();
        it.remove(); // sent
        Ctl second = new Ctl(new Message.ResyncRequest(0));
        queue.addResyncRequest(second);
        assertThat(items()).containsExactly(second);
    }

    @Test
    void aBulkQueuesItsBeginAndACursorAndMakesThePendingCountUnknownUntilDone() {
        queue.add(key(1));
        assertThat(queue.pending(3)).isEqualTo(4);

        queue.addBulk(() -> null);
        List<Object> items = items();
        assertThat(items).hasSize(3);
        assertThat(((Ctl) items.get(1)).message.type()).isEqualTo(MessageType.BULK_BEGIN);
        assertThat(items.get(2)).isInstanceOf(BulkCursor.class);
        assertThat(queue.pending(3)).isEqualTo(Message.CacheSummary.PENDING_UNKNOWN);

        queue.bulkDone();
        assertThat(queue.pending(0)).isEqualTo(3);
    }

    @Test
    void pendingStopsShortOfTheUnknownValue() {
        queue.add(key(1));
        assertThat(queue.pending(Long.MAX_VALUE - 1)).isEqualTo(Message.CacheSummary.PENDING_UNKNOWN - 1);
    }

    @Test
    void aResentBulkFlowIsRequeuedByItsKeyAndCounted() {
        queue.add(key(5));

        assertThat(queue.requeue(new byte[] {5, 1, 2})).isTrue();
        assertThat(queue.requeue(key(6))).isTrue();

        assertThat(items()).containsExactly(key(5), key(6));
        assertThat(stats.retransmissions.get()).isEqualTo(2);
    }

    @Test
    void aBulksMarkersAreNotResentButReportedLost() {
        assertThat(queue.requeue(new Ctl(new Message.BulkBegin(3)))).isFalse();
        assertThat(queue.requeue(new Ctl(new Message.BulkEnd(4, 10)))).isFalse();
        assertThat(queue.requeue(new Ctl(new Message.Handover(5)))).isTrue();

        assertThat(items()).hasSize(1);
        assertThat(stats.bulkMarkersLost.get()).isEqualTo(2);
        assertThat(stats.retransmissions.get()).isEqualTo(1);
    }

    @Test
    void clearEmptiesTheQueueAndForgetsQueuedBulks() {
        queue.add(key(1));
        queue.addBulk(() -> null);

        queue.clear();

        assertThat(queue.size()).isZero();
        assertThat(stats.transmitQueueDepth.get()).isZero();
        assertThat(queue.pending(0)).isZero();
    }
}
