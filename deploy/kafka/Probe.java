// Probe is the readiness check used by local.sh: it asks the broker for its cluster
// metadata through the Kafka admin client and exits 0 once a broker is registered and
// the topic list can be read. Run with the broker's own jars, in source-file mode:
//
//   java -cp 'libs/*' Probe.java BOOTSTRAP TIMEOUT_SECONDS [client.properties]
//
// The optional properties file carries security settings (SASL_SSL, SCRAM, CA),
// so the same probe checks the authenticated listener too.
import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.errors.AuthenticationException;

public class Probe {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Probe BOOTSTRAP TIMEOUT_SECONDS [client.properties]");
            System.exit(2);
        }
        Properties props = new Properties();
        if (args.length > 2) {
            try (InputStream in = new FileInputStream(args[2])) {
                props.load(in);
            }
        }
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "200");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        String last = "no attempt";
        Admin admin = Admin.create(props);
        try {
            while (System.nanoTime() < deadline) {
                try {
                    DescribeClusterResult dc = admin.describeCluster();
                    int nodes = dc.nodes().get(5, TimeUnit.SECONDS).size();
                    String id = dc.clusterId().get(5, TimeUnit.SECONDS);
                    if (nodes > 0) {
                        int topics = admin.listTopics().names().get(5, TimeUnit.SECONDS).size();
                        System.out.printf("cluster %s: %d broker(s), %d topic(s)%n", id, nodes, topics);
                        return;
                    }
                    last = "cluster " + id + " has no registered broker yet";
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof AuthenticationException) {
                        System.err.println("authentication failed: " + c.getMessage());
                        System.exit(3);
                    }
                    last = String.valueOf(c);
                } catch (java.util.concurrent.TimeoutException e) {
                    last = "timed out waiting for metadata";
                }
                Thread.sleep(250);
            }
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
        System.err.println("broker not ready: " + last);
        System.exit(1);
    }
}
