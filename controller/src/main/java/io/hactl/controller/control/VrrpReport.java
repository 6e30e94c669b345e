package io.hactl.controller.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.hactl.controller.vrrp.GroupTransition;
import io.hactl.controller.vrrp.VrrpInstanceStatus;
import io.hactl.controller.vrrp.VrrpStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code vrrp} section of {@code status} with role.source vrrp: hactl's sync group, its
 * last takeover or hand-over with the steps in the order they began, and each instance.
 *
 * @param state                the group's state
 * @param holdBack             why it does not preempt; null when it may
 * @param takeoverWithinBudget takeovers whose state steps finished before the addresses went up
 * @param takeoverOverBudget   takeovers whose addresses went up when the commit budget ran out
 * @param ioErrors             failed sends, address changes and announcements
 * @param unmatched            datagrams on an interface or family without instances
 * @param overruns             datagrams dropped in a flood
 * @param lastTransition       the group's last transition; null before the first
 * @param instances            every instance, in configuration order
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VrrpReport(String state, String holdBack, long takeoverWithinBudget, long takeoverOverBudget,
                         long ioErrors, long unmatched, long overruns, Transition lastTransition,
                         List<Instance> instances) {
    public VrrpReport {
        instances = instances == null ? List.of() : List.copyOf(instances);
    }

    public static VrrpReport of(VrrpStatus s) {
        return new VrrpReport(s.state().name(), s.holdBack(), s.takeoverWithinBudget(), s.takeoverOverBudget(),
                s.ioErrors(), s.unmatched(), s.overruns(), Transition.of(s.lastTransition()),
                s.instances().stream().map(Instance::of).toList());
    }

    /**
     * A transition of the group: {@code steps} in the order they began, {@code atMillis} after it
     * began; {@code kernelHeldState}: the kernel held the peer's flows already, addresses first.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Transition(String to, String why, boolean overBudget, boolean kernelHeldState, List<Step> steps) {
        public Transition {
            steps = steps == null ? List.of() : List.copyOf(steps);
        }

        static Transition of(GroupTransition t) {
            return t == null ? null : new Transition(t.to().name(), t.why(), t.overBudget(), t.kernelHeldState(),
                    t.steps().stream().map(x -> new Step(x.step(), x.atMillis(), x.millis(), x.error())).toList());
        }
    }

    /** One step: "state", "addresses" or "announce"; {@code millis} -1 while it runs; {@code error} null when none. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Step(String step, long atMillis, long millis, String error) {}

    /**
     * One virtual router; {@code masterDownMillis} -1 unless BACKUP, {@code drops} by reason
     * (non-zero only).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Instance(String name, String iface, int vrid, String state, String why, int priority,
                           String masterAddress, int masterPriority, long advertsSent, long advertsReceived,
                           long masterDownMillis, Map<String, Long> drops) {
        public Instance {
            drops = drops == null ? Map.of() : Map.copyOf(drops);
        }

        static Instance of(VrrpInstanceStatus i) {
            Map<String, Long> drops = new TreeMap<>();
            i.drops().forEach((reason, n) -> drops.put(reason.name().toLowerCase(java.util.Locale.ROOT), n));
            return new Instance(i.name(), i.interfaceName(), i.vrid(), i.state().name(), i.why(), i.priority(),
                    i.masterAddress(), i.masterPriority(), i.advertsSent(), i.advertsReceived(), i.masterDownMillis(),
                    drops);
        }
    }
}
