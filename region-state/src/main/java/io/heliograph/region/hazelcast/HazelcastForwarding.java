package io.heliograph.region.hazelcast;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.region.forwarding.ForwardOutcome;
import io.heliograph.region.forwarding.ForwardedPublish;
import io.heliograph.region.forwarding.HomeLink;
import io.heliograph.region.forwarding.HomePublisher;
import io.heliograph.region.forwarding.TakeoverAnswer;
import io.heliograph.region.forwarding.TakeoverLink;
import io.heliograph.region.sequencing.Takeover;
import io.heliograph.region.sequencing.Forwarder;

/**
 * The two Hazelcast hops of a forwarded publish, between the processes of one region: an edge node hands it to a
 * bridge replica (a lite member offering a {@link HomeLink}), and in the home region a bridge hands it to the edge node
 * that owns the channel's partition (offering a {@link HomePublisher}), where the channel's state is local. Each hop is
 * a task on the {@value #EXECUTOR} executor that finds its role in the member's user context; a member without the
 * role answers null and the next one is tried. The executor's bounded pool and queue are the bulkhead: a flood of
 * forwarded publishes waits or is refused (503), it does not take the threads of anything else.
 */
public final class HazelcastForwarding {

    /** The executor both hops run on, configured by {@link #configure(Config)}. */
    public static final String EXECUTOR = "hg.forward";
    static final String HOME_LINK = "heliograph.forwarding.home-link";
    static final String HOME_PUBLISHER = "heliograph.forwarding.home-publisher";
    static final String TAKEOVER_LINK = "heliograph.forwarding.takeover-link";
    /** Forwarded publishes one member works on at once: each waits for a remote region. */
    static final int POOL_SIZE = 64;
    static final int QUEUE_CAPACITY = 4_096;
    /** What each hop keeps back from its budget, so that its answer (even a timeout) reaches the caller in time. */
    static final long HOP_MARGIN_MS = 150;

    private HazelcastForwarding() {
    }

    /** Adds the forwarding executor; every member of a region (edge or bridge) has it. */
    public static Config configure(Config config) {
        config.getExecutorConfig(EXECUTOR).setPoolSize(POOL_SIZE).setQueueCapacity(QUEUE_CAPACITY)
                .setStatisticsEnabled(false);
        return config;
    }

    /** A bridge replica: forwarded publishes of this region's edge nodes go out through {@code link}. */
    public static void offerHomeLink(HazelcastInstance member, HomeLink link) {
        member.getUserContext().put(HOME_LINK, link);
    }

    /** An edge node: forwarded publishes from other regions for channels homed here are sequenced by {@code publisher}. */
    public static void offerHomePublisher(HazelcastInstance member, HomePublisher publisher) {
        member.getUserContext().put(HOME_PUBLISHER, publisher);
    }

    /** Stops offering a role (a closing process answers null from now, and callers move on). */
    public static void withdraw(HazelcastInstance member) {
        member.getUserContext().remove(HOME_LINK);
        member.getUserContext().remove(HOME_PUBLISHER);
        member.getUserContext().remove(TAKEOVER_LINK);
    }

    /**
     * The edge node's {@link Forwarder}: through any bridge replica of this region, waiting at most {@code timeoutMs}.
     * Unreachable (no replica, none answering in time, the home refusing as unavailable) is answered 503, so the
     * publisher retries with the same msgId, which keeps the first serial.
     */
    public static Forwarder viaBridge(HazelcastInstance member, long timeoutMs) {
        return new ViaBridge(member, timeoutMs);
    }

    /**
     * The home's bridge side: sequences {@code publish} on the edge node owning the channel's partition, within the
     * publish's budget.
     */
    public static ForwardOutcome atHome(HazelcastInstance member, ForwardedPublish publish) {
        long budgetMs = Math.max(1, publish.budgetMs() - HOP_MARGIN_MS);
        Future<ForwardOutcome> answer;
        try {
            answer = member.getExecutorService(EXECUTOR).submitToKeyOwner(
                    new ForwardTask(ForwardTask.Role.HOME_PUBLISHER, publish.withBudget(budgetMs)), publish.channel());
        } catch (RejectedExecutionException e) {
            return ForwardOutcome.refused(ErrorCode.UNAVAILABLE, "region " + publish.homeRegion()
                    + " has too many forwarded publishes in progress; retry");
        }
        try {
            ForwardOutcome outcome = answer.get(budgetMs, TimeUnit.MILLISECONDS);
            return outcome != null ? outcome : ForwardOutcome.refused(ErrorCode.UNAVAILABLE, "the edge node owning "
                    + publish.channel() + " in region " + publish.homeRegion() + " is not ready; retry");
        } catch (TimeoutException e) {
            answer.cancel(true);
            return ForwardOutcome.refused(ErrorCode.UNAVAILABLE, "region " + publish.homeRegion()
                    + " did not make the publish durable within " + budgetMs + " ms; retry with the same msgId");
        } catch (ExecutionException e) {
            return ForwardOutcome.refused(ErrorCode.UNAVAILABLE, "region " + publish.homeRegion()
                    + " could not sequence the publish (" + e.getCause() + "); retry with the same msgId");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ForwardOutcome.refused(ErrorCode.UNAVAILABLE, "interrupted; retry");
        }
    }

    /** What a bridge replica answered, or why none did (null answer: the problem says why). */
    private record BridgeAnswer<T>(T answer, String problem, boolean timedOut) {
    }

    /**
     * Runs a task on this region's bridge replicas (lite members) in turn, starting with the one that answered last,
     * until one answers or {@code deadlineNs} passes: a replica that is not a bridge (null), has too much in progress,
     * or fails (it left) is passed over for the next. {@code taskFor} builds the task for what is left of the budget.
     */
    private static <T> BridgeAnswer<T> onAnyBridge(HazelcastInstance member, AtomicInteger preferred, long deadlineNs,
                                                   java.util.function.LongFunction<Callable<T>> taskFor) {
        List<Member> bridges = member.getCluster().getMembers().stream().filter(Member::isLiteMember).toList();
        if (bridges.isEmpty()) {
            return new BridgeAnswer<>(null, "no region bridge of this region is running", false);
        }
        String lastProblem = "no bridge replica answered";
        int start = Math.floorMod(preferred.get(), bridges.size());
        for (int i = 0; i < bridges.size(); i++) {
            int index = (start + i) % bridges.size();
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (leftMs <= HOP_MARGIN_MS) {
                break;
            }
            Future<T> answer;
            try {
                answer = member.getExecutorService(EXECUTOR).submitToMember(taskFor.apply(leftMs - HOP_MARGIN_MS),
                        bridges.get(index));
            } catch (RejectedExecutionException e) {
                lastProblem = "the bridge has too much in progress";
                continue;
            }
            try {
                T outcome = answer.get(leftMs, TimeUnit.MILLISECONDS);
                if (outcome == null) {
                    lastProblem = "a lite member that is not a region bridge";
                    continue;
                }
                preferred.set(index);
                return new BridgeAnswer<>(outcome, null, false);
            } catch (TimeoutException e) {
                answer.cancel(true);
                return new BridgeAnswer<>(null, "no answer in time", true);
            } catch (ExecutionException e) {
                // The replica left or failed: the next one may do it. A retry is the same request.
                lastProblem = String.valueOf(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HeliographException(ErrorCode.UNAVAILABLE, "interrupted; retry");
            }
        }
        return new BridgeAnswer<>(null, lastProblem, false);
    }

    private static final class ViaBridge implements Forwarder {
        private final HazelcastInstance member;
        private final long timeoutMs;
        /** Where to start: the replica that answered last, so a standing-by or dead one is not asked every time. */
        private final AtomicInteger preferred = new AtomicInteger();

        ViaBridge(HazelcastInstance member, long timeoutMs) {
            this.member = member;
            this.timeoutMs = timeoutMs;
        }

        @Override
        public io.heliograph.region.channel.AppendResult forward(io.heliograph.region.sequencing.Home home,
                                                                String channel,
                                                                io.heliograph.region.channel.PublishRequest request,
                                                                io.heliograph.protocol.Durability durability) {
            long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            ForwardedPublish[] sent = new ForwardedPublish[1];
            BridgeAnswer<ForwardOutcome> answer = onAnyBridge(member, preferred, deadlineNs, budgetMs -> {
                sent[0] = ForwardedPublish.of(home, channel, request, durability, budgetMs);
                return new ForwardTask(ForwardTask.Role.HOME_LINK, sent[0]);
            });
            if (answer.answer() != null) {
                return answer.answer().toAppendResult(sent[0]);
            }
            if (answer.timedOut()) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "region " + home.region() + " (the home of "
                        + channel + ") did not answer within " + timeoutMs + " ms; retry with the same msgId");
            }
            throw new HeliographException(ErrorCode.UNAVAILABLE, "channel " + channel + " is sequenced in region "
                    + home.region() + ", which cannot be reached now (" + answer.problem()
                    + "); retry with the same msgId");
        }
    }

    /** The edge node's {@link Takeover}: through any bridge replica of this region, waiting at most {@code timeoutMs}. */
    public static Takeover takeoverViaBridge(HazelcastInstance member, long timeoutMs) {
        AtomicInteger preferred = new AtomicInteger();
        return new Takeover() {
            @Override
            public boolean required() {
                return true;
            }

            @Override
            public io.heliograph.protocol.Serial takeOver(String channel, io.heliograph.region.sequencing.Home home) {
                long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
                BridgeAnswer<TakeoverAnswer> answer = onAnyBridge(member, preferred, deadlineNs,
                        budgetMs -> new TakeoverTask(channel, home, budgetMs));
                if (answer.answer() == null) {
                    throw new HeliographException(ErrorCode.UNAVAILABLE, "region " + home.region() + " cannot take "
                            + channel + " over in epoch " + home.epoch() + " now (" + answer.problem() + "); retry");
                }
                if (!answer.answer().done()) {
                    throw new HeliographException(ErrorCode.UNAVAILABLE, "region " + home.region() + " cannot take "
                            + channel + " over in epoch " + home.epoch() + " now: " + answer.answer().problem()
                            + "; retry");
                }
                return answer.answer().end();
            }
        };
    }

    /** A bridge replica: channels this region's edge nodes start sequencing are taken over through {@code link}. */
    public static void offerTakeoverLink(HazelcastInstance member, TakeoverLink link) {
        member.getUserContext().put(TAKEOVER_LINK, link);
    }

    /** Runs a takeover on a bridge replica; null on a member that does not offer one. */
    static final class TakeoverTask implements Callable<TakeoverAnswer>, Serializable, HazelcastInstanceAware {
        @Serial
        private static final long serialVersionUID = 1L;
        private final String channel;
        private final io.heliograph.region.sequencing.Home home;
        private final long budgetMs;
        private transient HazelcastInstance member;

        TakeoverTask(String channel, io.heliograph.region.sequencing.Home home, long budgetMs) {
            this.channel = channel;
            this.home = home;
            this.budgetMs = budgetMs;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance member) {
            this.member = member;
        }

        @Override
        public TakeoverAnswer call() {
            return member.getUserContext().get(TAKEOVER_LINK) instanceof TakeoverLink link
                    ? link.takeOver(channel, home, budgetMs) : null;
        }
    }

    /**
     * Runs on the member it is sent to, in the role asked of it: a bridge replica's {@link HomeLink} or an edge node's
     * {@link HomePublisher}; null when the member does not offer that role (the caller tries the next one).
     */
    static final class ForwardTask implements Callable<ForwardOutcome>, Serializable, HazelcastInstanceAware {
        enum Role { HOME_LINK, HOME_PUBLISHER }

        @Serial
        private static final long serialVersionUID = 1L;
        private final Role role;
        private final ForwardedPublish publish;
        private transient HazelcastInstance member;

        ForwardTask(Role role, ForwardedPublish publish) {
            this.role = role;
            this.publish = publish;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance member) {
            this.member = member;
        }

        @Override
        public ForwardOutcome call() {
            return switch (role) {
                case HOME_LINK -> member.getUserContext().get(HOME_LINK) instanceof HomeLink link
                        ? link.forward(publish) : null;
                case HOME_PUBLISHER -> member.getUserContext().get(HOME_PUBLISHER) instanceof HomePublisher publisher
                        ? publisher.publishAtHome(publish) : null;
            };
        }
    }
}
