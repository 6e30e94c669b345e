package io.hactl.controller.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idle clients and long operations never keep the control socket from answering the others. */
class ControlServerTest {
    @TempDir
    Path dir;
    ControlServer server;
    final List<SocketChannel> idle = new ArrayList<>();
    final CountDownLatch commitMayFinish = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        commitMayFinish.countDown();
        for (SocketChannel c : idle) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    JsonNode handle(ControlRequest r) throws Exception {
        if (r instanceof ControlRequest.Commit) {
            commitMayFinish.await();
            return ControlProtocol.JSON.getNodeFactory().textNode("committed");
        }
        if (r instanceof ControlRequest.Notify n) {
            return ControlProtocol.JSON.getNodeFactory().textNode("notified " + n.state());
        }
        return ControlProtocol.JSON.getNodeFactory().textNode(r.getClass().getSimpleName());
    }

    ControlServer start(Duration readDeadline) throws Exception {
        server = ControlServer.start(dir.resolve("ctl").resolve("hactl.sock"), this::handle, false, readDeadline);
        return server;
    }

    void openIdle(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            c.connect(UnixDomainSocketAddress.of(server.path()));
            idle.add(c);
        }
    }

    JsonNode call(String cmd) throws ControlException {
        return new ControlClient(server.path()).call(cmd, Duration.ofSeconds(5));
    }

    JsonNode notifyMaster() throws ControlException {
        ObjectNode r = ControlProtocol.JSON.createObjectNode();
        r.put("cmd", "notify");
        r.put("state", "MASTER");
        return new ControlClient(server.path()).call(r, Duration.ofSeconds(2));
    }

    @Test
    void withMoreIdleClientsThanConnectionsAllowedStatusPingAndNotifyStillAnswer() throws Exception {
        start(Duration.ofMinutes(10)); // no idle client times out during this test: eviction makes the room
        for (int n : new int[] {4, 8, ControlServer.MAX_CONNECTIONS + 39}) {
            openIdle(n);
            assertThat(call("status").asText()).isEqualTo("Status");
            assertThat(call("ping").asText()).isEqualTo("Ping");
            assertThat(notifyMaster().asText()).isEqualTo("notified MASTER");
        }
        assertThat(server.counters().get("control_evicted")).isPositive();
    }

    @Test
    void aClientThatSendsNoRequestIsCutOffAtTheDeadlineAndCounted() throws Exception {
        start(Duration.ofMillis(200));
        openIdle(3);
        for (SocketChannel c : idle) {
            // the server closes it: read sees end of stream
            await().atMost(Duration.ofSeconds(10)).until(() -> c.read(ByteBuffer.allocate(16)) < 0);
        }
        assertThat(server.counters().get("control_timed_out")).isEqualTo(3);
    }

    @Test
    void aLongOperationKeepsNeitherStatusNorNotifyWaiting() throws Exception {
        start(ControlServer.READ_DEADLINE);
        List<CompletableFuture<JsonNode>> commits = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // more than the operation lane's threads
            commits.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new ControlClient(server.path()).call("commit", Duration.ofSeconds(60));
                } catch (ControlException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        assertThat(call("status").asText()).isEqualTo("Status");
        assertThat(notifyMaster().asText()).isEqualTo("notified MASTER");
        assertThat(commits).noneMatch(CompletableFuture::isDone);
        commitMayFinish.countDown();
        for (CompletableFuture<JsonNode> c : commits) {
            assertThat(c.get().asText()).isEqualTo("committed");
        }
    }

    @Test
    void aBadRequestIsAnsweredWithTheErrorAndCounted() throws Exception {
        start(ControlServer.READ_DEADLINE);
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(server.path()));
            c.write(ByteBuffer.wrap("{\"v\":1,\"cmd\":\"flush\",\"which\":\"everything\"}\n".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (c.read(b) >= 0 && b.hasRemaining()) {
                // until the server closes
            }
            JsonNode reply = ControlProtocol.JSON.readTree(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
            assertThat(reply.path("ok").asBoolean(true)).isFalse();
            assertThat(reply.path("error").asText()).contains("key 'which'");
        }
        assertThat(server.counters().get("control_bad_requests")).isEqualTo(1);
    }

    @Test
    void aDaemonThatDoesNotAnswerIsReportedAsUnreachableWithinTheTimeout() throws Exception {
        start(ControlServer.READ_DEADLINE);
        ControlException e = org.junit.jupiter.api.Assertions.assertThrows(ControlException.class,
                () -> new ControlClient(server.path()).call("commit", Duration.ofMillis(300)));
        assertThat(e.unreachable()).isTrue();
        assertThat(e.getMessage()).isEqualTo("hactl daemon did not answer within 300 ms");
        assertThatThrownBy(() -> new ControlClient(dir.resolve("none.sock")).call("ping", Duration.ofSeconds(1)))
                .hasMessageContaining("not running");
    }
}
