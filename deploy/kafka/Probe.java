// Probe is the readiness check used by local.sh: for each target it asks the broker for
// its cluster metadata through the Kafka admin client, and exits 0 once every target
// has a registered broker and can list topics. It retries until the deadline, so it can
// start together with the broker. Run with the broker's own jars:
//
//   java -cp 'probe:libs/*' Probe TIMEOUT_SECONDS BOOTSTRAP[=client.properties]...
//
// A properties file carries a target's security settings (SASL_SSL, SCRAM, CA), so the
// same probe checks the authenticated listener in the same JVM. Exit codes: 0 ready,
// 1 not ready by the deadline, 2 usage, 3 authentication failed. With -Dprobe.brokers=N a
// target is ready only once the cluster has N registered brokers (local.sh KAFKA_NODES).
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.errors.AuthenticationException;

public class Probe {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Probe TIMEOUT_SECONDS BOOTSTRAP[=client.properties]...");
            System.exit(2);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[0]));
        for (int i = 1; i < args.length; i++) {
            String target = args[i];
            String file = null;
            int eq = target.indexOf('=');
            if (eq >= 0) {
                file = target.substring(eq + 1);
                target = target.substring(0, eq);
            }
            int rc = probe(target, load(file), deadline);
            if (rc != 0) {
                System.exit(rc);
            }
        }
    }

    static Properties load(String file) throws IOException {
        Properties props = new Properties();
        if (file != null) {
            try (InputStream in = new FileInputStream(file)) {
                props.load(in);
            }
        }
        return props;
    }

    static int probe(String bootstrap, Properties props, long deadline) throws InterruptedException {
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "200");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        String protocol = props.getProperty(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        String last = "no attempt";
        Admin admin = Admin.create(props);
        try {
            while (System.nanoTime() < deadline) {
                try {
                    DescribeClusterResult dc = admin.describeCluster();
                    int nodes = dc.nodes().get(5, TimeUnit.SECONDS).size();
                    String id = dc.clusterId().get(5, TimeUnit.SECONDS);
                    if (nodes >= Math.max(1, Integer.getInteger("probe.brokers", 1))) {
                        int topics = admin.listTopics().names().get(5, TimeUnit.SECONDS).size();
                        System.out.printf("%s %s: cluster %s, %d broker(s), %d topic(s)%n",
                                protocol, bootstrap, id, nodes, topics);
                        return 0;
                    }
                    last = "cluster " + id + " has " + nodes + " registered broker(s)";
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof AuthenticationException) {
                        System.err.println(protocol + " " + bootstrap + ": authentication failed: " + c.getMessage());
                        return 3;
                    }
                    last = String.valueOf(c);
                } catch (TimeoutException e) {
                    last = "timed out waiting for metadata";
                }
                Thread.sleep(250);
            }
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
        System.err.println(protocol + " " + bootstrap + ": not ready: " + last);
        return 1;
    }
}
