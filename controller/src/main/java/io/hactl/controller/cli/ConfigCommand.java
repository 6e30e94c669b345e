package io.hactl.controller.cli;

import io.hactl.controller.config.ConfigException;
import io.hactl.controller.config.ConfigLoader;
import io.hactl.controller.config.HactlConfig;
import io.hactl.controller.config.SyncAddressCheck;
import io.hactl.controller.keepalived.NotifyFifoCheck;
import io.hactl.sync.wire.KeyFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hactl config check}. */
@Command(name = "config", description = "Configuration tools.", subcommands = ConfigCommand.Check.class)
public final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (check)");
    }

    /** Checks the configuration and the key file it names; prints every error with key and line. */
    @Command(name = "check", description = "Check the configuration file and its sync key; print every error.")
    public static final class Check implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", defaultValue = "/etc/hactl/hactl.yaml",
                description = "Configuration file (default: ${DEFAULT-VALUE}).")
        Path config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            HactlConfig c;
            try {
                c = ConfigLoader.load(config);
            } catch (ConfigException e) {
                err.println(e.getMessage());
                err.flush();
                return ExitCodes.FAILED;
            }
            // what the daemon would refuse at start, all together: a notify FIFO it could not
            // use, a sync address not configured here, a missing or bad key
            java.util.List<String> problems = new java.util.ArrayList<>();
            NotifyFifoCheck.problems(c).forEach(p -> problems.add("role.keepalived.notify-fifo: " + p));
            problems.addAll(SyncAddressCheck.problems(c.sync()));
            String fingerprint = null;
            try {
                fingerprint = KeyFile.fingerprint(KeyFile.load(c.sync().keyFile()));
            } catch (KeyFile.KeyFileException e) {
                problems.add("sync.key-file: " + e.getMessage());
            }
            if (!problems.isEmpty()) {
                problems.forEach(p -> err.println(config + ": " + p));
                err.flush();
                return ExitCodes.FAILED;
            }
            out.printf("%s: OK (node %s, %d sync link%s, %s, encryption %s, key fingerprint %s)%n", config, c.node(),
                    c.sync().links().size(), c.sync().links().size() == 1 ? "" : "s",
                    c.sync().reliable() ? "ftfw" : "notrack", c.sync().encryption().configName(), fingerprint);
            if (c.role().vrrp() != null) {
                out.println(c.role().vrrp().describe());
            }
            if ("keepalived".equals(c.role().source()) && c.role().notifyFifo() != null && c.role().syncGroup() == null) {
                out.println("role: no role.keepalived.sync-group: the first vrrp_sync_group whose GROUP line reaches "
                        + c.role().notifyFifo() + " drives the role (INSTANCE lines only until then); name the group"
                        + " with role.keepalived.sync-group");
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
