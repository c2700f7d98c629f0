import { useEffect, useState } from 'react';
import type { AdminSocket, SocketFactory } from './socket';

export interface LiveConnection {
  socket: AdminSocket | null;
  live: boolean;
  /** Bumps on every (re)connect: events sent while disconnected are lost, so views refetch. */
  epoch: number;
}

export function useAdminSocket(connect: SocketFactory): LiveConnection {
  const [socket, setSocket] = useState<AdminSocket | null>(null);
  const [live, setLive] = useState(false);
  const [epoch, setEpoch] = useState(0);

  useEffect(() => {
    const s = connect();
    const up = () => {
      setLive(true);
      setEpoch((n) => n + 1);
    };
    const down = () => setLive(false);
    s.on('connect', up);
    s.on('disconnect', down);
    s.on('connect_error', down);
    if (s.connected) up();
    setSocket(s);
    return () => {
      s.off('connect', up);
      s.off('disconnect', down);
      s.off('connect_error', down);
      s.disconnect();
      setSocket(null);
      setLive(false);
    };
  }, [connect]);

  return { socket, live, epoch };
}
