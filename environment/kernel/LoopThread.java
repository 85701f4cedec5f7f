package org.rapaio.jupyter.kernel.channels;

/*
 * dropkit replacement for the class of the same name in rapaio-jupyter-kernel 3.0.1.
 *
 * Why: two start-up races in 3.0.1 leave a kernel that binds its ports but never answers
 * kernel_info_request (the client waits forever):
 *  1. start() raises the "running" flag only after Thread.start(); when the new thread runs
 *     first, run() sees running == false and returns, so that channel is never served
 *     (about 1 start in 4 on a 2-core machine). Here the flag is raised before the thread starts.
 *  2. Channels.connect() starts the shell/control loops before it fills its handler map; a
 *     request arriving in that window throws a NullPointerException out of the loop body, which
 *     killed the thread (about 1 start in 15 once race 1 is fixed). Here an exception from one
 *     iteration is reported and the loop goes on; the lost request is re-sent by the client
 *     (jupyter_client repeats kernel_info_request every second until answered).
 * Same public API; compiled with --release 17 and placed ahead of the kernel jar on the class
 * path (see install.sh).
 */
public final class LoopThread extends Thread {

    private final long pauseMillis;
    private final Runnable body;
    private volatile boolean running;
    private int failures;

    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.pauseMillis = sleep;
        this.body = loopBody;
    }

    @Override
    public synchronized void start() {
        running = true;          // must be visible before run() can look at it
        try {
            super.start();
        } catch (RuntimeException e) {
            running = false;
            throw e;
        }
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    body.run();
                } catch (RuntimeException e) {
                    report(e);
                }
                Thread.sleep(pauseMillis);
            }
        } catch (InterruptedException e) {
            // asked to stop
        } finally {
            running = false;
        }
    }

    private void report(RuntimeException e) {
        failures++;
        if (failures <= 20) {
            System.err.println("[dropkit LoopThread] " + getName() + ": loop iteration failed, continuing: " + e);
        } else if (failures == 21) {
            System.err.println("[dropkit LoopThread] " + getName() + ": further failures not reported");
        }
    }

    public void shutdown() {
        running = false;
    }
}
