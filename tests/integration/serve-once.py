# An http server on the loopback for the offline tests: serves ROOT, and
# each .deb or .rpm only once (a second fetch gets 404), logging every
# fetch, so a test can prove a package was downloaded once.
#   python3 serve-once.py ROOT PORTFILE LOG
import functools, http.server, os, sys
root, portfile, log = sys.argv[1:4]
served = set()
class Once(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path.endswith(('.deb', '.rpm')):
            with open(log, 'a') as f:
                f.write(self.path + '\n')
            if self.path in served:
                self.send_error(404, 'served once already')
                return
            served.add(self.path)
        super().do_GET()
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Once, directory=root))
with open(portfile + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + '.tmp', portfile)
srv.serve_forever()
