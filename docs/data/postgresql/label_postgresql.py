import re,sys,csv
from collections import Counter
HEADER=re.compile(r'^\S+ \S+ \S+ \[\d+\] (\w+):\s+(.*)$')
RULES=[
 (r'^STATEMENT:\s.*', 'STATEMENT: V'),
 (r'^(duration: V ms\s+statement:) .*', r'\1 V'),
 (r'^(checkpoint complete:) .*', r'\1 V'),
 (r'^(checkpoint starting:) .*', r'\1 V'),
 (r'^(starting PostgreSQL) .*', r'\1 V'),
 (r'^listening on \w+ address', 'listening on V address'),
 (r'^(redo done at V) .*', r'\1 V'),
 (r'^(temporary file: path V), size V', r'\1, size V'),
]
def shape(line):
    m=HEADER.match(line)
    if m and m.group(1)=='STATEMENT':
        return 'V'                                    # the statement's text is the value
    c=m.group(2) if m else line
    c=re.sub(r'"[^"]*"','V',c)
    c=re.sub(r'\([^()]*\)=\([^()]*\)','V',c)          # DETAIL's Key (id)=(1)
    c=re.sub(r'\b(\w+)=\S*',r'\1=V',c)
    c=re.sub(r'\S*\d\S*','V',c)
    for pat,rep in RULES:
        c=re.sub(pat,rep,c)
    c=re.sub(r'V( V)+','V',c)
    return c.strip()
if __name__=='__main__':
    lines=[l.rstrip('\n') for l in open(sys.argv[1])]
    if len(sys.argv)>2:
        ids={}
        with open(sys.argv[2],'w',newline='') as f:
            w=csv.writer(f); w.writerow(['LineId','EventId','EventTemplate'])
            for i,l in enumerate(lines):
                s=shape(l); ids.setdefault(s,'E%d'%(len(ids)+1)); w.writerow([i+1,ids[s],s])
    else:
        cnt=Counter(shape(l) for l in lines)
        print(len(cnt))
        for k,v in cnt.most_common(): print(v,'|',k)
