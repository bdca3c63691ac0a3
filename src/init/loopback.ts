import { RouteSocket } from '../linux/netlink.js';
import { linkUpByNameRequest } from '../linux/netlink-message.js';

/**
 * A network namespace the container gets new starts with `lo` down; runc (its "loopback"
 * network for a new netns) and crun set it up, and programs expect 127.0.0.1 to answer. A
 * namespace joined by path is someone else's and is left as it is.
 */
export function setLoopbackUp(): void {
  const sock = RouteSocket.open();
  try {
    const seq = sock.nextSeq();
    try {
      sock.request(linkUpByNameRequest(seq, 'lo'), seq, 'RTM_NEWLINK');
    } catch (err) {
      throw new Error(`linux.namespaces: cannot set the loopback device "lo" up in the container's new network namespace: ${(err as Error).message}`);
    }
  } finally {
    sock.close();
  }
}
