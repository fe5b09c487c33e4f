import re,sys
from collections import Counter,defaultdict
def content(l):
    m=re.match(r'^\[[^\]]*\] [A-Z]+ (.*) \(([\w.$]+)\)$',l)
    return (m.group(1),m.group(2)) if m else (l,'?')
MERGE=[]
def shape(l):
    c,lg=content(l)
    c=re.sub(r'^\[[^\]]*\]:?\s*','',c)           # the component's log prefix: [Broker id=1]
    c=re.sub(r'^\[[^\]]*\]:?\s*','',c)
    c=re.sub(r'\{[^{}]*\}','{M}',c)
    c=re.sub(r'\{[^{}]*\}','{M}',c)
    c=re.sub(r"'[^']*'","'S'",c)
    c=re.sub(r'Some\([^)]*\)','V',c)
    c=re.sub(r'\S*\d\S*','V',c)
    for _ in range(2):
        for pat,rep in RULES:
            c=re.sub(pat,rep,c)
        c=re.sub(r'V( V)+','V',c)
        c=re.sub(r'V,( V)','V',c)
    return c.strip()
RULES=[
 (r'\b[A-Za-z0-9_-]{22}\b', 'V'),
 (r'\bNone\b', 'V'),
 (r'set configuration [\w.]+ to \S+', 'set configuration V to V'),
 (r'with new configuration : .*', 'with new configuration : V'),
 (r'^Completed load of .* with V segments.*', 'Completed load of V with V segments'),
 (r'^CreateTopics result\(s\): .*', 'CreateTopics result(s): V'),
 (r'^(Replayed BrokerRegistrationChangeRecord modifying the registration for broker).*', r'\1 V'),
 (r'^(Attempting durable transition to|Completed transition to) .*', r'\1 V'),
 (r'\(reason: .*', '(reason: V'),
 (r'ListenerName\(\w+\)', 'ListenerName(V)'),
 (r'for endpoint \w+\.', 'for endpoint V.'),
 (r'^INFO \w+ values:', 'INFO V values:'),
 (r'periodic task \w+ to run', 'periodic task V to run'),
 (r'^(Setting new leader for topic) .*? (using ELR|using an unclean election).*', r'\1 V \2'),
 (r'^(UNCLEAN partition) .*', r'\1 V'),
 (r'^(Replayed PartitionRecord for new partition) .*', r'\1 V'),
 (r'^(Skipped the become-follower state change for) .*', r'\1 V'),
 (r'^(UNCLEAN partition V for V with topic) .*', r'\1 V'),
 (r'^(Leader V with topic) .*', r'\1 V'),
 (r'^(Follower V starts at leader epoch) .*', r'\1 V'),
 (r'^(Creating new partition V with topic) .*', r'\1 V'),
 (r'^(Replayed initial RegisterBrokerRecord|Replayed RegisterControllerRecord|sendControllerRegistration|High watermark set to|Starting voters are|Loaded new metadata) .*', r'\1 V'),
 (r'(topic|topic=|for topic|partition|partitions|Log\(dir=)\s*[\w.\-/]+', r'\1 V'),
 (r'feature [\w.]+', 'feature V'),
 (r'initializing [\w ]+? with a snapshot', 'initializing V with a snapshot'),
 (r'Updating topic [\w.\-]+', 'Updating topic V'),
 (r'group [\w\-]+', 'group V'),
 (r'\(type=TOPIC, name=\S+', '(type=TOPIC, name=V'),
 (r'ConfigResource\(type=BROKER, name=\S*', 'ConfigResource(type=BROKER, name=V'),
]
def write_truth(src, dst):
    ids={}
    rows=[]
    for l in open(src):
        l=l.rstrip('\n'); s=shape(l)
        ids.setdefault(s,'E%d'%(len(ids)+1))
        rows.append((ids[s], s))
    import csv
    with open(dst,'w',newline='') as f:
        w=csv.writer(f); w.writerow(['LineId','EventId','EventTemplate'])
        for i,(e,s) in enumerate(rows): w.writerow([i+1,e,s])
if __name__=='__main__' and len(sys.argv)>2:
    write_truth(sys.argv[1], sys.argv[2]); sys.exit()
if __name__=='__main__':
    lines=[l.rstrip('\n') for l in open(sys.argv[1])]
    cnt=Counter(); ex={}
    for l in lines:
        s=shape(l); cnt[s]+=1; ex.setdefault(s,l)
    print(len(cnt))
    for k,v in sorted(cnt.items(), key=lambda x:-x[1]):
        print(v,'|',k[:150])
