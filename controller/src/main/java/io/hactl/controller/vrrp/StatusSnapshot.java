package io.hactl.controller.vrrp;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What {@code status} shows of a {@link VrrpController}: the group, its counters, its last
 * transition and every member, taken on the loop thread after each event into an immutable
 * {@link VrrpStatus} that any thread may read.
 */
final class StatusSnapshot {
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final SyncGroup group;
    private final List<Member> members;
    private final ReceiveDispatch dispatch;
    private final TransitionRunner runner;
    private final IoFailures failures;
    private final LongSupplier overruns;
    private final LongSupplier nanos;

    /** {@code overruns}: datagrams dropped before the loop (a flood); read from the loop thread. */
    StatusSnapshot(SyncGroup group, List<Member> members, ReceiveDispatch dispatch, TransitionRunner runner,
            IoFailures failures, LongSupplier overruns, LongSupplier nanos) {
        this.group = group;
        this.members = List.copyOf(members);
        this.dispatch = dispatch;
        this.runner = runner;
        this.failures = failures;
        this.overruns = overruns;
        this.nanos = nanos;
    }

    /** The status as of now. */
    VrrpStatus take() {
        Transition last = runner.last();
        GroupTransition t = last == null ? null : last.snapshot();
        long now = nanos.getAsLong();
        List<VrrpInstanceStatus> list = new ArrayList<>(members.size());
        for (Member m : members) {
            VrrpInstance v = m.vrrp;
            long down = -1;
            if (v.state() == VrrpState.BACKUP && v.nextDeadline().isPresent()) {
                down = Math.max(0, (v.nextDeadline().getAsLong() - now) / NANOS_PER_MILLI);
            }
            Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
            dispatch.check(m.router).counters().drops().forEach((reason, n) -> {
                if (n > 0) {
                    drops.put(reason, n);
                }
            });
            list.add(new VrrpInstanceStatus(m.router.name(), m.router.interfaceName(), m.router.vrid(), v.state(),
                    v.why(), m.router.priority(),
                    v.masterAddress() == null ? null : v.masterAddress().getHostAddress(), v.masterPriority(),
                    v.advertsSent(), v.advertsReceived(), down, drops, group.holdBackReason(), t));
        }
        return new VrrpStatus(group.state(), group.holdBackReason(), runner.withinBudget(), runner.overBudget(),
                failures.count(), dispatch.unmatchedCount(), overruns.getAsLong(), t, list);
    }
}
