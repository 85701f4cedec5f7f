package org.rapaio.jupyter.kernel.channels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.java.RapaioExecutionControl;
import org.rapaio.jupyter.kernel.message.HMACDigest;
import org.rapaio.jupyter.kernel.message.Message;
import org.rapaio.jupyter.kernel.message.MessageType;
import org.rapaio.jupyter.kernel.message.messages.ControlInterruptReply;
import org.rapaio.org.zeromq.SocketType;
import org.rapaio.org.zeromq.ZMQ;

/*
 * dropkit replacement for the class of the same name in rapaio-jupyter-kernel 3.0.1, derived from that class's
 * source (the io.github.padreati:rapaio-jupyter-kernel:3.0.1 sources jar on Maven Central) and changed as below (see install.sh).
 *
 * Why: in 3.0.1 an interrupt_request breaks the running cell and the kernel. The control loop handles it through the
 * Channels object it shares with the shell loop: it overwrites the current message id (the running execute_request's)
 * and runs the execute's pending after-actions (idle status, stream restore, console unbinding) under the interrupt's
 * id, so the interrupted cell never gets its error, idle or reply, and later cells lose their output; the handler
 * also shuts the evaluation executor down. Here an interrupt touches no shared state: the reply goes out on the
 * control socket with the request's own id (as the protocol says) and the running evaluation is cancelled
 * (its thread interrupted); the shell loop then reports "interrupted" for the cell as for any failed cell.
 * Other control requests (shutdown) are handled as in 3.0.1.
 */
public final class ControlChannel extends AbstractChannel {

    private static final Logger LOGGER = Logger.getLogger(ControlChannel.class.getSimpleName());
    private static final long LOOP_SLEEP = 50;
    private static final AtomicInteger ID = new AtomicInteger();

    private final Channels channels;
    private volatile LoopThread loopThread;

    public ControlChannel(Channels channels, ZMQ.Context context, HMACDigest hmacGenerator) {
        super(channels, "ControlChannel", context, SocketType.ROUTER, hmacGenerator);
        this.channels = channels;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public void bind(ConnectionProperties connProps) {
        if (loopThread != null) {
            throw new IllegalStateException("Channel already bound.");
        }

        String channelThreadName = "Control-" + ID.getAndIncrement();
        String addr = connProps.formatAddress(connProps.controlPort());

        LOGGER.info(logPrefix + "Binding to " + addr);
        socket.bind(addr);

        ZMQ.Poller poller = ctx.poller(1);
        poller.register(socket, ZMQ.Poller.POLLIN);

        this.loopThread = new LoopThread(channelThreadName, LOOP_SLEEP, () -> {
            if (poller.poll(0) > 0) {
                Message<?> message = readMessage();
                var type = message.header().type();
                if (MessageType.CONTROL_INTERRUPT_REQUEST.equals(type)) {
                    LOGGER.info(logPrefix + "Handling message: " + type.name());
                    sendMessage(new Message<>(message.getId(), MessageType.CONTROL_INTERRUPT_REPLY,
                            new ControlInterruptReply()));
                    RapaioExecutionControl.interruptAll();
                    return;
                }
                MessageHandler handler = channels.getHandler(type);
                if (handler != null) {
                    LOGGER.info(logPrefix + "Handling message: " + type.name());
                    channels.setMsgId(message.getId());
                    try {
                        handler.handle(message);
                    } catch (Exception e) {
                        LOGGER.severe(logPrefix + "Exception handling " + type.name() + ". "
                                + e.getClass().getSimpleName() + ": " + e.getLocalizedMessage());
                    } finally {
                        channels.runAfterActions();
                    }
                    if (channels.isMarkedForShutdown()) {
                        LOGGER.info(channelThreadName + " shutting down connection marked for shutdown.");
                        channels.close();
                    }
                } else {
                    LOGGER.severe(logPrefix + "Unhandled message: " + type.name());
                }
            }
        });
        loopThread.start();
    }

    @Override
    public void close() {
        if (loopThread != null) {
            loopThread.shutdown();
        }
        super.close();
    }

    @Override
    public void joinUntilClose() {
        if (this.loopThread != null) {
            try {
                this.loopThread.join();
            } catch (InterruptedException ignored) {
                // closing anyway
            }
        }
    }
}
