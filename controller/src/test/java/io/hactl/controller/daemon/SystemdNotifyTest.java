package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jna.Memory;
import io.hactl.sync.sys.LibC;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notify datagrams reach a socket like systemd's, path and abstract. */
class SystemdNotifyTest {
    @TempDir
    Path dir;

    /** A bound AF_UNIX datagram socket standing in for systemd. */
    static int listen(String name) {
        int fd = LibC.socket(1, 2 | 02000000, 0);
        byte[] path = name.getBytes(StandardCharsets.UTF_8);
        byte[] addr = new byte[2 + path.length + (name.startsWith("@") ? 0 : 1)];
        addr[0] = 1;
        System.arraycopy(path, 0, addr, 2, path.length);
        if (name.startsWith("@")) {
            addr[2] = 0;
        }
        LibC.bind(fd, addr, addr.length);
        return fd;
    }

    static String receive(int fd) {
        Memory m = new Memory(4096);
        long n = LibC.Polling.recv(fd, m, 4096, 0x40 /* MSG_DONTWAIT */);
        return n < 0 ? null : new String(m.getByteArray(0, (int) n), StandardCharsets.UTF_8);
    }

    @Test
    void readyAndStatusReachAPathAndAnAbstractSocket() {
        for (String name : List.of(dir.resolve("notify").toString(), "@hactl-test-" + ProcessHandle.current().pid())) {
            int fd = listen(name);
            try {
                SystemdNotify n = new SystemdNotify(name, Duration.ofSeconds(30));
                assertThat(n.enabled()).isTrue();
                assertThat(n.send("READY=1\nSTATUS=role MASTER, peer alive")).isTrue();
                List<String> got = new ArrayList<>();
                await().atMost(Duration.ofSeconds(5)).until(() -> {
                    String s = receive(fd);
                    if (s != null) {
                        got.add(s);
                    }
                    return !got.isEmpty();
                });
                assertThat(got).containsExactly("READY=1\nSTATUS=role MASTER, peer alive");
            } finally {
                LibC.close(fd);
            }
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        SystemdNotify n = new SystemdNotify(null, null);
        assertThat(n.enabled()).isFalse();
        assertThat(n.send("READY=1")).isFalse();
    }
}
