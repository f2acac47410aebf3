package dev.hybrid.cli;

import dev.hybrid.dashboard.Dashboard;
import dev.hybrid.dashboard.DashboardOptions;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import picocli.CommandLine.Option;

/** Where the web dashboard listens: {@code --port} and {@code --host}, shared by view, run --web and resume --web. */
final class WebOptions {
    @Option(names = "--port", paramLabel = "PORT", description = "The dashboard's port (default: 8080; 0: any free).")
    int port = 8080;

    @Option(names = "--host", paramLabel = "HOST",
            description = "The address the dashboard listens on (default: 127.0.0.1, this machine only). Another "
                    + "address makes every request need the token printed in the URL.")
    String host = DashboardOptions.LOOPBACK;

    /** The options, after checking the port, warning on {@code err} when the dashboard opens beyond loopback. */
    DashboardOptions options(PrintStream err) {
        if (port < 0 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--port must be in 0..65535, was " + port);
        }
        if (!isLoopback(host)) {
            err.println("WARNING: the dashboard listens on " + host + ", so other machines can reach it. Every "
                    + "request needs the token in the URL below: whoever has the URL can see and steer the "
                    + "experiment. Traffic is plain HTTP; use an SSH tunnel (ssh -L) where the network is not "
                    + "trusted.");
        }
        return DashboardOptions.defaults().withHost(host).withPort(port);
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new WebOptions()),
                    "--host: unknown host '" + host + "'");
        }
    }

    /** The line that tells the user where the dashboard is. */
    static String announce(Dashboard dashboard) {
        return "Dashboard: " + dashboard.url();
    }
}
