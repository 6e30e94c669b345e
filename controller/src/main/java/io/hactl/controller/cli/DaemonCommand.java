package io.hactl.controller.cli;

import io.hactl.controller.config.ConfigException;
import io.hactl.controller.config.ConfigLoader;
import io.hactl.controller.config.HactlConfig;
import io.hactl.controller.config.SyncAddressCheck;
import io.hactl.controller.daemon.Daemon;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hactl daemon}: run the daemon in the foreground until SIGTERM or SIGINT; exits 0 after
 * that clean stop, 1 when it refuses to start (the reason on standard error).
 */
@Command(name = "daemon", description = "Run the hactl daemon in the foreground (systemd runs it so).")
public final class DaemonCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", defaultValue = "/etc/hactl/hactl.yaml",
            description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // first: a stop requested while starting is kept and honoured once started
        StopSignals signals = StopSignals.install();
        Daemon d = startOrRefuse();
        if (d == null) {
            signals.restore(); // a caller in the same JVM (a test) keeps its own handlers
            return ExitCodes.FAILED;
        }
        // other ends of the JVM (SIGHUP, an exit from elsewhere) still close the daemon
        Thread hook = new Thread(d::close, "hactl-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String signal = signals.await();
        spec.commandLine().getErr().println("hactl daemon: " + signal + ", stopping");
        spec.commandLine().getErr().flush();
        d.close();
        Runtime.getRuntime().removeShutdownHook(hook);
        return ExitCodes.OK;
    }

    /** The running daemon, or null after printing why it does not start. */
    private Daemon startOrRefuse() {
        HactlConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            return refuse(e.getMessage());
        }
        List<String> unusable = SyncAddressCheck.problems(c.sync());
        if (!unusable.isEmpty()) {
            return refuse(config + ": " + String.join("; ", unusable));
        }
        try {
            return Daemon.start(c, true);
        } catch (Exception e) {
            return refuse(e.getMessage());
        }
    }

    private Daemon refuse(String why) {
        spec.commandLine().getErr().println("hactl daemon: refusing to start: " + why);
        spec.commandLine().getErr().flush();
        return null;
    }
}
