package io.hactl.controller.vrrp;

import java.io.IOException;
import java.util.List;

/**
 * The virtual addresses of a {@link VrrpController}'s group: every member's addresses put on or
 * taken off its interface, and announced, through the {@link VrrpIo}, all members at once. A
 * failure of one member does not stop the others: it is counted by {@link IoFailures} and comes
 * back as the step's error text (null when all went well). Owned by the loop thread.
 */
final class GroupAddresses {
    private final List<Member> members;
    private final VrrpIo io;
    private final IoFailures failures;
    // bound once here, not at the first takeover, where linking each costs the JVM a millisecond or more
    private final Call add;
    private final Call announce;
    private final Call remove;

    GroupAddresses(List<Member> members, VrrpIo io, IoFailures failures) {
        this.members = List.copyOf(members);
        this.io = io;
        this.failures = failures;
        add = io::addAddresses;
        announce = io::announce;
        remove = io::removeAddresses;
    }

    /** Puts every member's addresses on its interface; the error text, or null. */
    String add() {
        return eachMember("adding", add);
    }

    /** One round of gratuitous ARP / unsolicited NA for every member; the error text, or null. */
    String announce() {
        return eachMember("announcing", announce);
    }

    /** Takes every member's addresses off its interface; the error text, or null. */
    String remove() {
        return eachMember("removing", remove);
    }

    /** One network call per member, every member tried; the error text of those that failed, or null. */
    private String eachMember(String doing, Call call) {
        String error = null;
        for (Member m : members) {
            try {
                call.on(m.router);
            } catch (IOException | RuntimeException e) {
                error = failures.failed(m.router.name() + ": " + doing + " " + m.router.addresses(), e, error);
            }
        }
        return error;
    }

    @FunctionalInterface
    private interface Call {
        void on(RouterConfig router) throws IOException;
    }
}
