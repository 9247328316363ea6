import json, glob, importlib.util, sys, shutil
TOPICS={"north-korea","south-korea","russia","united-states","military","nuclear","leaflets","inter-korean","diplomacy","human-rights","ukraine-war","economy"}
arts=[]
for f in sorted(glob.glob('/work/wt/dev4/testdata/eval/dev4src/[bc]*.py')):
    spec=importlib.util.spec_from_file_location(f,f); m=importlib.util.module_from_spec(spec); spec.loader.exec_module(m); arts+=m.A
out=[]
for i,a in enumerate(arts,1):
    t,date,body,topics,ents=a
    assert set(topics)<=TOPICS,(i,topics)
    n=len(body)
    if not 400<=n<=1000: print("LEN",i,n,t)
    E=[]
    for e in ents:
        d={"type":{"L":"LOCATION","O":"ORGANIZATION","P":"PERSON"}[e[0]],"canonical":e[1]}
        if len(e)>2: d["alt"]=list(e[2:])
        E.append(d)
    out.append({"id":"d4-%03d"%i,"title":t,"body":body,"published_at":date,"source":"tagpipe dev set 4","gold":{"topics":topics,"entities":E}})
with open('/work/wt/dev4/testdata/eval/dev4.jsonl','w') as fh:
    for o in out: fh.write(json.dumps(o,ensure_ascii=False)+"\n")
for l in open('/work/wt/dev4/testdata/eval/dev4.jsonl'): json.loads(l)
shutil.copy('/work/wt/dev4/testdata/eval/dev4.jsonl','/work/coord/dev4.jsonl')
print(len(out))
