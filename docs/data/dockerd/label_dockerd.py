"""Labels a dockerd debug log (logrus text format) with the statement each line comes from.

Rules written before any template was mined on this log. A line's template is its message with values
replaced by V, then the names of its fields (`module=V namespace=V`). Values: quoted strings, tokens
holding a digit, paths, URLs, lists and maps, names of containers, endpoints and networks, states and
stream names printed by one statement. HTTP methods stay: they name the operation (as loghub labels
access logs). Left out: iptables' argument lists and the API's form-data dumps (see README.md).
"""
import csv, random, re, sys

LINE = re.compile(r'time="[^"]*" level=(\w+) msg=("(?:[^"\\]|\\.)*"|\S+)(.*)$')
QUOTED = re.compile(r'\\"(?:[^"\\]|\\.)*\\"|\'[^\']*\'')

# (pattern over the message, its template): the first that matches wins
RULES = [
    (r'^Request address .*', 'Request address V'),
    (r'^Released address .*', 'Released address V'),
    (r'^RequestAddress\(.*', 'RequestAddress(V)'),
    (r'^RequestPool\(.*', 'RequestPool(V)'),
    (r'^ReleaseAddress\(.*', 'ReleaseAddress(V)'),
    (r'^ReleasePool\(.*', 'ReleasePool(V)'),
    (r'^\S+ \(\w+\)\.addSvcRecords\(.*', 'V (V).addSvcRecords(V) updateSvcRecord V'),
    (r'^\S+ \(\w+\)\.deleteSvcRecords\(.*', 'V (V).deleteSvcRecords(V) updateSvcRecord V'),
    (r'^\[BUILDER\] Command to be executed: .*', '[BUILDER] Command to be executed: V'),
    (r'^\[BUILDER\] Cache miss: .*', '[BUILDER] Cache miss: V'),
    (r'^\[BUILDER\] Use cached version: .*', '[BUILDER] Use cached version: V'),
    (r'^Attempting next endpoint for (\w+) after error: .*', r'Attempting next endpoint for \1 after error: V'),
    (r'^Handler for (\w+) \S+ returned error: .*', r'Handler for \1 V returned error: V'),
    (r'^Error getting \S+ registry: .*', 'Error getting V registry: V'),
    (r'^Trying to pull \S+ from \S+ \S+$', 'Trying to pull V from V V'),
    (r'^cleanup warnings .*', 'cleanup warnings V'),
    (r'^container mounted via layerStore: .*', 'container mounted via layerStore: V'),
    (r'^\[core\] ccResolverWrapper: sending update to cc: .*', '[core] ccResolverWrapper: sending update to cc: V'),
    (r'^\[core\] grpc: addrConn.createTransport failed to connect to .*',
     '[core] grpc: addrConn.createTransport failed to connect to V. Err: V. Reconnecting...'),
    (r'^\[core\] (Subchannel|Channel) Connectivity change to \w+$', r'[core] \1 Connectivity change to V'),
    (r'^\[graphdriver\] priority list: .*', '[graphdriver] priority list: V'),
    (r'^attach: \w+: (begin|end)$', r'attach: V: \1'),
    (r'^Registering (\w+), .*', r'Registering \1, V'),
    (r'^Calling (\w+) .*', r'Calling \1 V'),
    (r'^(Assigning|Releasing) addresses for endpoint \S+ interface on network \S+$',
     r'\1 addresses for endpoint V interface on network V'),
    (r'^(Programming|Revoking) external connectivity on endpoint \S+ \(\S+\)$',
     r'\1 external connectivity on endpoint V (V)'),
    (r'^Allocating (\S+) pools for network \S+ \(\S+\)$', 'Allocating V pools for network V (V)'),
    (r'^releasing (\S+) pools from network \S+ \(\S+\)$', 'releasing V pools from network V (V)'),
    (r'^Endpoint \S+ restored to network \S+$', 'Endpoint V restored to network V'),
    (r'^Removing stale sandbox .*', 'Removing stale sandbox V (V)'),
    (r'^Error \(Unable to complete atomic operation, key modified\) deleting object .*',
     'Error (Unable to complete atomic operation, key modified) deleting object V, retrying....'),
    (r'^Option (\w+): \S+$', r'Option \1: V'),
    (r'^Registering new volume reference: .*', 'Registering new volume reference: driver V, name V'),
    (r'^Removing volume reference: .*', 'Removing volume reference: driver V, name V'),
    (r'^cleanupServiceDiscovery for network .*', 'cleanupServiceDiscovery for network V'),
    (r'^end logs \(.*\)$', 'end logs (V)'),
    (r'^alive: \w+$', 'alive: V'),
    (r'^Initialized graph driver \S+$', 'Initialized graph driver V'),
    (r'^\[graphdriver\] using prior storage driver: \S+$', '[graphdriver] using prior storage driver: V'),
    (r'^Default bridge \(\S+\) is assigned with an IP address (.*)',
     'Default bridge (V) is assigned with an IP address V. Daemon option --bip can be used to set a preferred IP address'),
    (r'^backingFs=.*', 'backingFs=V, projectQuotaSupported=V, indexOff=V'),
    (r'^Probing all drivers for volume with name: \S+$', 'Probing all drivers for volume with name: V'),
    (r'^hostDir: .*', 'hostDir: V'),
    (r'^\[core\] ClientConn switching balancer to .*', '[core] ClientConn switching balancer to V'),
    (r'^\[core\] Channel switches to new LB policy .*', '[core] Channel switches to new LB policy V'),
]

def value(token):
    if re.fullmatch(r'\[[A-Za-z]+\]', token):  # a tag: [core], [BUILDER]
        return token
    bare = token.strip('()[]{},:;."\'')
    if re.search(r'\d', token) or bare.startswith('/') or '://' in token or token.startswith(('[', '{', 'map[', '&{')):
        return 'V' + (',' if token.endswith(',') and not bare.startswith('/') else '')
    return token

def message(msg):
    text = msg[1:-1] if msg.startswith('"') else msg
    for pattern, template in RULES:
        m = re.match(pattern, text)
        if m:
            return m.expand(template)
    text = QUOTED.sub('V', text)
    return ' '.join(value(t) for t in text.split(' '))

def template(body_msg, rest):
    keys = ' '.join(k + '=V' for k in re.findall(r'(?:^| )([\w().-]+)=', rest))
    return (message(body_msg) + (' ' + keys if keys else '')).strip()

def main(log, out_log, out_csv, n=2000, seed=7):
    kept = []
    for line in open(log, encoding='utf-8'):
        line = line.rstrip('\n')
        m = LINE.match(line)
        if not m or m.group(2).startswith(('"/usr/sbin/iptables', '"form data')):
            continue
        kept.append((line, template(m.group(2), m.group(3))))
    chosen = sorted(random.Random(seed).sample(range(len(kept)), n))
    ids = {}
    with open(out_log, 'w', encoding='utf-8') as lf, open(out_csv, 'w', newline='', encoding='utf-8') as cf:
        w = csv.writer(cf)
        w.writerow(['LineId', 'EventId', 'EventTemplate'])
        for i, k in enumerate(chosen, 1):
            line, t = kept[k]
            lf.write(line + '\n')
            w.writerow([i, 'E%d' % ids.setdefault(t, len(ids) + 1), t])
    print(len(kept), 'lines kept,', n, 'sampled,', len(ids), 'templates', file=sys.stderr)

if __name__ == '__main__':
    main(*sys.argv[1:4])
