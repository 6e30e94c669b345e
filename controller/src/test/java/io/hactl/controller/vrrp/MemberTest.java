package io.hactl.controller.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemberTest {
    final Parts parts = new Parts();

    @Test
    void itsInstanceAdvertisesThroughTheIoWithItsPriority() {
        parts.lan().sendAdvert(200);
        parts.wan().sendAdvert(0);

        assertThat(parts.calls).containsExactly("send LAN 200", "send WAN 0");
    }

    @Test
    void aFailedSendIsCountedAndNotThrown() {
        parts.io.failing.add("send LAN 200");

        parts.lan().sendAdvert(200);
        parts.lan().sendAdvert(0);

        assertThat(parts.calls).containsExactly("send LAN 200", "send LAN 0");
        assertThat(parts.failures.count()).isEqualTo(1);
    }

    @Test
    void theGroupsTransitionsLeaveTheAddressesToTheGroup() {
        parts.lan().becomeMaster();
        parts.lan().becomeBackup();
        parts.lan().becomeFault();
        parts.lan().stopped();

        assertThat(parts.calls).isEmpty();
    }
}
